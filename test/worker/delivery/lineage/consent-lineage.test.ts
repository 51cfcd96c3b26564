// Consent through the admin API and the event path: space settings validated whole, profile
// consent from `Segment Consent Preference Updated` events and portal logins (latest wins, in any
// arrival order), and the lineage answer to "why did destination X not get event Y".
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, eventually, storedEventually, track } from "../../support.ts";
import { as, errorCode, newSource } from "../../admin/admin-fixtures.ts";

const OWNER = "test-admin-token";
const SETTINGS = {
  categories: ["Marketing", "Analytics"],
  destinations: { Braze: ["Marketing"], Mixpanel: ["Analytics"] },
  requireConsent: true,
  strictlyNecessary: [],
};

describe("consent settings", () => {
  it("refuses malformed consent settings and PII policies, keeping the saved ones", async () => {
    const s = await newSource();
    await admin("PUT", `/spaces/${s.spaceId}/consent`, SETTINGS);
    const bad: [string, unknown, string, string][] = [
      [
        "consent",
        { categories: ["Marketing"], destinations: { Braze: ["Ads"] } },
        "unknown_category",
        "destinations.Braze[0]",
      ],
      ["consent", { categories: ["1st"] }, "invalid_category_id", "categories[0]"],
      ["consent", { requireConsent: "yes" }, "not_a_boolean", "requireConsent"],
      [
        "privacy-policy",
        { storage: { classes: { card_number: "raw" } } },
        "always_dropped",
        "storage.classes.card_number",
      ],
      [
        "privacy-policy",
        { storage: { classes: { email: "encrypted" } } },
        "invalid_action",
        "storage.classes.email",
      ],
      [
        "privacy-policy",
        { destinations: { Braze: { phoneFormat: "local" } } },
        "invalid_phone_format",
        "destinations.Braze.phoneFormat",
      ],
    ];
    for (const [what, body, code, field] of bad) {
      const res = await as(OWNER, "PUT", `/admin/v1/spaces/${s.spaceId}/${what}`, body);
      expect(res.status, code).toBe(400);
      expect(errorCode(res.json)).toBe(code);
      expect((res.json.error as { field: string }).field).toBe(field);
    }
    expect(
      (await admin<{ consent: unknown }>("GET", `/spaces/${s.spaceId}/consent`)).consent,
    ).toEqual(SETTINGS);
    const policy = await admin<{ policy: { storage: { default: string } } }>(
      "GET",
      `/spaces/${s.spaceId}/privacy-policy`,
    );
    expect(policy.policy.storage.default).toBe("hashed");
    const retention = await as(OWNER, "PUT", `/admin/v1/spaces/${s.spaceId}/retention`, {
      retentionDays: 0,
    });
    expect(retention.status).toBe(400);
  });
});

describe("why a destination did not get an event", () => {
  it("answers from the recorded decision, or from the space's consent rules", async () => {
    const s = await newSource();
    await admin("PUT", `/spaces/${s.spaceId}/consent`, SETTINGS);
    const consent = { consent: { categoryPreferences: { Marketing: false, Analytics: true } } };
    await track(s.writeKey, "/v1/track", {
      userId: "c-user",
      event: "Viewed",
      messageId: "c-1",
      context: consent,
    });
    await storedEventually(s.sourceId, 1);
    const path = `/admin/v1/sources/${s.sourceId}/events/c-1/lineage`;
    const computed = await as(OWNER, "GET", `${path}?destination=Braze`);
    expect(computed.json.lineage).toMatchObject({
      messageId: "c-1",
      deliveries: [
        {
          destination: "Braze",
          allowed: false,
          reason: "FILTERED_BY_END_USER_CONSENT",
          missingCategories: ["Marketing"],
          recorded: false,
        },
      ],
    });
    const missing = await as(OWNER, "GET", `/admin/v1/sources/${s.sourceId}/events/nope/lineage`);
    expect(errorCode(missing.json)).toBe("event_not_found");
  });
});

describe("profile consent", () => {
  it("takes the latest choice per category from consent events and portal logins", async () => {
    const s = await newSource();
    const prefs = (p: Record<string, boolean>) => ({ consent: { categoryPreferences: p } });
    const batch = [
      // Sent out of order: the later consent event must win whatever the arrival order.
      {
        type: "track",
        messageId: "p-2",
        userId: "guest",
        event: "Segment Consent Preference Updated",
        timestamp: "2026-03-02T10:00:00.000Z",
        context: prefs({ Marketing: true }),
      },
      {
        type: "track",
        messageId: "p-1",
        userId: "guest",
        event: "WiFi Login Completed",
        timestamp: "2026-03-01T10:00:00.000Z",
        context: prefs({ Marketing: false, Analytics: true }),
      },
      {
        type: "identify",
        messageId: "p-0",
        userId: "guest",
        traits: { email: "guest@example.com" },
        timestamp: "2026-03-01T09:00:00.000Z",
      },
    ];
    expect((await track(s.writeKey, "/v1/batch", { batch })).status).toBe(200);
    await storedEventually(s.sourceId, 3);
    const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(s.spaceId));
    const profileId = await eventually(
      async () => (await graph.partition()).find((p) => p.key === "users/user_id:guest")?.profileId,
    );
    const profile = await eventually(async () => {
      const res = await as(
        OWNER,
        "GET",
        `/admin/v1/spaces/${s.spaceId}/profiles/${profileId}/masked`,
      );
      const p = res.json.profile as
        | {
            consent: { categories: Record<string, { granted: boolean; via: string }> };
            traits: Record<string, unknown>;
          }
        | undefined;
      return p && Object.keys(p.consent.categories).length === 2 && p.traits.email !== undefined
        ? p
        : undefined;
    });
    expect(profile.consent.categories).toMatchObject({
      Marketing: { granted: true, via: "event" },
      Analytics: { granted: true, via: "portal" },
    });
    expect(profile.traits.email).toMatch(/^[0-9a-f]{64}$/);
    const raw = await as(OWNER, "GET", `/admin/v1/spaces/${s.spaceId}/profiles/${profileId}/pii`);
    expect((raw.json.profile as { traits: { email: string } }).traits.email).toBe(
      "guest@example.com",
    );
    const other = await newSource();
    const elsewhere = await as(
      OWNER,
      "GET",
      `/admin/v1/spaces/${other.spaceId}/profiles/${profileId}/masked`,
    );
    expect(elsewhere.status).toBe(404);
  });
});

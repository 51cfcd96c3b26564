// Computed traits and audiences inside workerd: definitions through the admin API, events through
// the Tracking API recompute them in the profile's Durable Object, a Durable Object alarm moves a
// profile out of a time-window audience with no new event, and the changes reach destinations as
// Segment's Engage sends them, only where the profile's consent allows.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN, admin, call, eventually, newSource, track } from "../support.ts";
import { webhookDestination } from "../delivery/destination-setup.ts";
import { Receiver } from "../delivery/receiver.ts";
import { profileStub } from "../../../worker/profiles/profile-name.ts";

const DAY = 24 * 60 * 60 * 1000;
let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

type Sent = {
  type: string;
  event?: string;
  userId?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context: Record<string, unknown>;
};

async function personasAt(path: string): Promise<Sent[]> {
  return (await receiver.at(path))
    .map((r) => JSON.parse(r.body) as Sent)
    .filter((m) => m.context.personas !== undefined);
}

function waitFor(path: string, predicate: (sent: Sent[]) => boolean): Promise<Sent[]> {
  return eventually(async () => {
    const sent = await personasAt(path);
    return predicate(sent) ? sent : undefined;
  });
}

const recentVisitors = {
  name: "Visited in the last day",
  mode: "both",
  condition: {
    kind: "event",
    event: { event: "Venue Visit Started" },
    window: { type: "within", days: 1 },
  },
};

describe("audiences and computed traits in the profile's Durable Object", () => {
  it("enters on an event, exits at the alarm, and sends both as Segment does", async () => {
    const { spaceId, writeKey } = await newSource();
    await webhookDestination(spaceId, "/all");
    await webhookDestination(spaceId, "/marketing", { consentCategories: ["marketing"] });
    const audience = await admin<{ definition: { id: string; version: number } }>(
      "PUT",
      `/spaces/${spaceId}/audiences/recent_visitors`,
      recentVisitors,
    );
    expect(audience.definition.version).toBe(1);
    await admin("PUT", `/spaces/${spaceId}/computed-traits/visit_count`, {
      kind: "event_counter",
      event: { event: "Venue Visit Started" },
    });
    const visitedAt = new Date(Date.now() - DAY + 120_000).toISOString();
    await track(writeKey, "/v1/track", {
      userId: "guest-1",
      event: "Venue Visit Started",
      messageId: "visit-1",
      timestamp: visitedAt,
    });
    const entered = await waitFor("/all", (s) => s.length >= 3);
    const identify = entered.find(
      (m) => m.type === "identify" && "recent_visitors" in (m.traits ?? {}),
    );
    expect(identify).toMatchObject({ userId: "guest-1", traits: { recent_visitors: true } });
    expect(identify?.context.personas).toEqual({
      computation_class: "audience",
      computation_id: audience.definition.id,
      computation_key: "recent_visitors",
      namespace: `spa_${spaceId}`,
      space_id: spaceId,
    });
    expect(entered.find((m) => m.event === "Audience Entered")?.properties).toEqual({
      audience_key: "recent_visitors",
      recent_visitors: true,
    });
    expect(entered.find((m) => m.traits?.visit_count !== undefined)).toMatchObject({
      type: "identify",
      traits: { visit_count: 1 },
      context: { personas: { computation_class: "trait", computation_key: "visit_count" } },
    });
    const preview = await admin<{ profiles: number; members: number }>(
      "POST",
      `/spaces/${spaceId}/audiences/preview`,
      recentVisitors,
    );
    expect(preview).toEqual({ profiles: 1, members: 1 });

    const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
    const [{ profileId } = { profileId: "" }] = await graph.partition();
    expect(await runDurableObjectAlarm(profileStub(env, spaceId, profileId))).toBe(true);
    const exited = await waitFor("/all", (s) => s.some((m) => m.event === "Audience Exited"));
    expect(exited.find((m) => m.event === "Audience Exited")?.properties).toEqual({
      audience_key: "recent_visitors",
      recent_visitors: false,
    });
    expect(exited.filter((m) => m.traits?.recent_visitors === false)).toHaveLength(1);
    // Every audience entry and exit is in the governance audit log, with the computations that
    // changed with it (a trait change alone is not: it would be a D1 row per event).
    const audit = await env.DB.prepare(
      "SELECT target, detail FROM audit_log WHERE space_id = ? AND action = 'activation.sent' ORDER BY at",
    )
      .bind(spaceId)
      .all<{ target: string; detail: string }>();
    const changes = audit.results.flatMap(
      (r) => (JSON.parse(r.detail) as { changes: string[] }).changes,
    );
    expect(audit.results.every((r) => r.target === profileId)).toBe(true);
    expect(changes).toContain("audience:recent_visitors:entered");
    expect(changes).toContain("audience:recent_visitors:exited");
    expect(changes).toContain("trait:visit_count");
    // The guest never granted "marketing": activation messages do not reach that destination.
    expect(await personasAt("/marketing")).toEqual([]);
    expect(
      (await receiver.at("/marketing")).map(
        (r) => (JSON.parse(r.body) as { messageId: string }).messageId,
      ),
    ).toEqual(["visit-1"]);
  });

  it("activates a profile for a consent-mapped destination once the guest grants consent", async () => {
    const { spaceId, writeKey } = await newSource();
    await webhookDestination(spaceId, "/consented", { consentCategories: ["marketing"] });
    await admin("PUT", `/spaces/${spaceId}/audiences/buyers`, {
      name: "Recent purchasers",
      condition: {
        kind: "event",
        event: { event: "Order Completed" },
        window: { type: "within", days: 60 },
      },
    });
    await track(writeKey, "/v1/batch", {
      batch: [
        {
          type: "track",
          event: "Segment Consent Preference Updated",
          userId: "guest-2",
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          context: { consent: { categoryPreferences: { marketing: true } } },
        },
        { type: "track", event: "Order Completed", userId: "guest-2", properties: { revenue: 40 } },
      ],
    });
    const sent = await waitFor("/consented", (s) => s.length >= 1);
    expect(sent[0]).toMatchObject({
      type: "identify",
      userId: "guest-2",
      traits: { buyers: true },
    });
  });
});

describe("activation admin API", () => {
  async function put(spaceId: string, path: string, body: unknown) {
    return call(`/admin/v1/spaces/${spaceId}/${path}`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  it.each([
    [
      "computed-traits/n",
      { kind: "event_counter", event: { event: "X" }, property: "p" },
      "property",
    ],
    [
      "computed-traits/n",
      { kind: "aggregation", event: { event: "X" }, property: "p" },
      "aggregation",
    ],
    ["computed-traits/n", { kind: "first", event: {}, property: "p" }, "event"],
    ["audiences/a", { name: "A", condition: { kind: "audience", key: "missing" } }, "condition"],
    [
      "audiences/a",
      { name: "A", condition: { kind: "trait", key: "x", operator: "greater_than", value: "1" } },
      "condition.value",
    ],
    [
      "audiences/a",
      {
        name: "A",
        mode: "fax",
        condition: { kind: "not", condition: { kind: "event", event: { event: "X" } } },
      },
      "mode",
    ],
    [
      "audiences/Bad-Key",
      { name: "A", condition: { kind: "event", event: { event: "X" } } },
      "key",
    ],
  ])("PUT %s %j is refused naming %s and stores nothing", async (path, body, field) => {
    const { spaceId } = await newSource();
    const res = await put(spaceId, path, body);
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { field: string } }>()).error.field).toBe(field);
    const kind = path.split("/")[0];
    expect(
      (await admin<{ definitions: unknown[] }>("GET", `/spaces/${spaceId}/${kind}`)).definitions,
    ).toEqual([]);
  });

  it("versions definitions, refuses cycles and deleting an audience others use", async () => {
    const { spaceId } = await newSource();
    const base = { name: "Base", condition: { kind: "event", event: { event: "X" } } };
    await admin("PUT", `/spaces/${spaceId}/audiences/base`, base);
    await admin("PUT", `/spaces/${spaceId}/audiences/derived`, {
      name: "Derived",
      condition: { kind: "audience", key: "base" },
    });
    const cycle = await put(spaceId, "audiences/base", {
      name: "Base",
      condition: { kind: "audience", key: "derived" },
    });
    expect(cycle.status).toBe(400);
    const v2 = await admin<{ definition: { version: number; id: string } }>(
      "PUT",
      `/spaces/${spaceId}/audiences/base`,
      { ...base, name: "Base v2" },
    );
    expect(v2.definition.version).toBe(2);
    const read = await admin<{ versions: { version: number }[] }>(
      "GET",
      `/spaces/${spaceId}/audiences/base`,
    );
    expect(read.versions.map((v) => v.version)).toEqual([2, 1]);
    const inUse = await call(`/admin/v1/spaces/${spaceId}/audiences/base`, {
      method: "DELETE",
      headers: ADMIN,
    });
    expect(inUse.status).toBe(409);
    await admin("DELETE", `/spaces/${spaceId}/audiences/derived`);
    await admin("DELETE", `/spaces/${spaceId}/audiences/base`);
    expect(
      (await admin<{ definitions: unknown[] }>("GET", `/spaces/${spaceId}/audiences`)).definitions,
    ).toEqual([]);
  });
});

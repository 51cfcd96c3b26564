// Identity through the real path: Tracking API → Queue → consumer → IdentityGraph → ProfileObjects,
// read back through the Profile API and the admin audit log.
import { describe, expect, it } from "vitest";
import {
  admin,
  call,
  eventually,
  newSource,
  profileApiToken,
  track,
  type TestSource,
} from "../support.ts";

const tokenFor = profileApiToken;

function profiles(s: TestSource, token: string, path: string): Promise<Response> {
  return call(`/v1/spaces/${s.spaceId}/collections/${path}`, {
    headers: { authorization: `Basic ${btoa(`${token}:`)}` },
  });
}

async function json<T>(res: Response): Promise<T> {
  expect(res.status).toBe(200);
  return res.json<T>();
}

describe("identity resolution and the Profile API", () => {
  it("merges an anonymous device into a known person and serves the profile", async () => {
    const s = await newSource();
    const token = await tokenFor(s.spaceId);
    const send = async (path: string, body: Record<string, unknown>) =>
      expect((await track(s.writeKey, path, body)).status).toBe(200);
    await send("/v1/page", {
      anonymousId: "a1",
      name: "Home",
      messageId: "e1",
      timestamp: "2026-11-01T10:00:00Z",
    });
    await send("/v1/identify", {
      anonymousId: "a1",
      userId: "u1",
      traits: { email: "ada@example.com", name: "Ada", plan: "free" },
      messageId: "e2",
      timestamp: "2026-11-01T10:01:00Z",
    });
    await send("/v1/track", {
      userId: "u1",
      event: "Order Completed",
      messageId: "e3",
      timestamp: "2026-11-01T10:02:00Z",
    });
    await send("/v1/page", {
      anonymousId: "a2",
      name: "Pricing",
      messageId: "e4",
      timestamp: "2026-11-02T09:00:00Z",
    });
    await send("/v1/identify", {
      anonymousId: "a2",
      traits: { email: " ADA@example.com ", plan: "pro" },
      messageId: "e5",
      timestamp: "2026-11-02T09:01:00Z",
    });

    const traits = await eventually(async () => {
      const res = await profiles(s, token, "users/profiles/user_id:u1/traits");
      if (res.status !== 200) return undefined;
      const body = await res.json<{ traits: Record<string, unknown> }>();
      return body.traits.plan === "pro" ? body.traits : undefined;
    });
    expect(traits).toEqual({ email: " ADA@example.com ", name: "Ada", plan: "pro" });

    // Every identifier of the merged person leads to the same profile.
    const byAnon = await json<{ traits: Record<string, unknown> }>(
      await profiles(s, token, "users/profiles/anonymous_id:a2/traits"),
    );
    expect(byAnon.traits).toEqual(traits);
    const byEmail = await json<{ traits: Record<string, unknown> }>(
      await profiles(
        s,
        token,
        `users/profiles/email:${encodeURIComponent("ada@example.com")}/traits`,
      ),
    );
    expect(byEmail.traits).toEqual(traits);

    const events = await eventually(async () => {
      const body = await json<{ data: { message_id: string }[] }>(
        await profiles(s, token, "users/profiles/user_id:u1/events?limit=100&sort=asc"),
      );
      return body.data.length === 5 ? body.data : undefined;
    });
    expect(events.map((e) => e.message_id)).toEqual(["e1", "e2", "e3", "e4", "e5"]);

    const ids = await json<{ data: { type: string; id: string; encoding: string }[] }>(
      await profiles(s, token, "users/profiles/user_id:u1/external_ids?limit=100"),
    );
    const types = ids.data.map((d) => `${d.type}:${d.type === "email" ? "<hash>" : d.id}`).sort();
    expect(types).toEqual(["anonymous_id:a1", "anonymous_id:a2", "email:<hash>", "user_id:u1"]);
    const email = ids.data.find((d) => d.type === "email")!;
    expect(email.id).toMatch(/^[0-9a-f]{64}$/);
    expect(email.encoding).toBe("hmac-sha256");

    const meta = await json<{ metadata: Record<string, unknown> }>(
      await profiles(s, token, "users/profiles/user_id:u1/metadata"),
    );
    expect(meta.metadata).toMatchObject({
      first_message_id: "e1",
      last_message_id: "e5",
      created_at: "2026-11-01T10:00:00.000Z",
      first_source_id: s.sourceId,
    });

    const audit = await admin<{
      entries: {
        action: string;
        messageId: string;
        rule: string;
        survivor: string;
        folded: string;
      }[];
    }>("GET", `/spaces/${s.spaceId}/identity-audit?action=merge`);
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ messageId: "e5", rule: "flat_match.many_matches" });
    expect(audit.entries[0]!.survivor).toBe(meta.metadata.segment_id);
  });

  it("keeps two people apart on a shared device and logs the refusal", async () => {
    const s = await newSource();
    const token = await tokenFor(s.spaceId);
    await track(s.writeKey, "/v1/identify", {
      anonymousId: "kiosk",
      userId: "alice",
      traits: { name: "Alice" },
      messageId: "k1",
    });
    await eventually(async () => {
      const res = await profiles(s, token, "users/profiles/user_id:alice/traits");
      return res.status === 200 && (await res.json<{ traits: object }>()).traits ? true : undefined;
    });
    await track(s.writeKey, "/v1/identify", {
      anonymousId: "kiosk",
      userId: "bob",
      traits: { name: "Bob" },
      messageId: "k2",
    });
    const bob = await eventually(async () => {
      const res = await profiles(s, token, "users/profiles/user_id:bob/traits");
      if (res.status !== 200) return undefined;
      const body = await res.json<{ traits: Record<string, unknown> }>();
      return Object.keys(body.traits).length > 0 ? body : undefined;
    });
    expect(bob.traits).toEqual({ name: "Bob" });
    const alice = await json<{ traits: Record<string, unknown> }>(
      await profiles(s, token, "users/profiles/user_id:alice/traits"),
    );
    expect(alice.traits).toEqual({ name: "Alice" });
    const refused = await admin<{ entries: { rule: string; messageId: string }[] }>(
      "GET",
      `/spaces/${s.spaceId}/identity-audit?action=refuse`,
    );
    expect(refused.entries.map((e) => [e.messageId, e.rule])).toContainEqual([
      "k2",
      "limit.user_id",
    ]);
  });

  it("creates account profiles from group calls and links them", async () => {
    const s = await newSource();
    const token = await tokenFor(s.spaceId);
    await track(s.writeKey, "/v1/group", {
      userId: "u9",
      groupId: "acme",
      traits: { name: "Acme Ltd", plan: "enterprise" },
    });
    const account = await eventually(async () => {
      const res = await profiles(s, token, "accounts/profiles/group_id:acme/traits");
      if (res.status !== 200) return undefined;
      const body = await res.json<{ traits: Record<string, unknown> }>();
      return Object.keys(body.traits).length > 0 ? body : undefined;
    });
    expect(account.traits).toEqual({ name: "Acme Ltd", plan: "enterprise" });
    const links = await json<{
      data: { to_collection: string; external_ids: { type: string; id: string }[] }[];
    }>(await profiles(s, token, "users/profiles/user_id:u9/links"));
    expect(links.data).toEqual([
      {
        to_collection: "accounts",
        external_ids: [expect.objectContaining({ type: "group_id", id: "acme" })],
      },
    ]);
  });

  it("refuses bad credentials, other spaces' tokens, unknown profiles and bad requests", async () => {
    const s = await newSource();
    const other = await newSource();
    const token = await tokenFor(s.spaceId);
    const otherToken = await tokenFor(other.spaceId);
    const cases: [string, Record<string, string>, number, string][] = [
      ["users/profiles/user_id:x/traits", {}, 401, "authentication_error"],
      [
        "users/profiles/user_id:x/traits",
        { authorization: `Basic ${btoa("nope:")}` },
        401,
        "authentication_error",
      ],
      [
        "users/profiles/user_id:x/traits",
        { authorization: `Basic ${btoa(`${otherToken}:`)}` },
        401,
        "authentication_error",
      ],
      [
        "users/profiles/user_id:nobody/traits",
        { authorization: `Basic ${btoa(`${token}:`)}` },
        404,
        "not_found",
      ],
      [
        "users/profiles/no-colon/traits",
        { authorization: `Basic ${btoa(`${token}:`)}` },
        400,
        "validation_error",
      ],
      [
        "robots/profiles/user_id:x/traits",
        { authorization: `Basic ${btoa(`${token}:`)}` },
        400,
        "validation_error",
      ],
    ];
    for (const [path, headers, status, code] of cases) {
      const res = await call(`/v1/spaces/${s.spaceId}/collections/${path}`, { headers });
      expect(res.status, path).toBe(status);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe(code);
    }
  });

  it("paginates traits and events with limit and next", async () => {
    const s = await newSource();
    const token = await tokenFor(s.spaceId);
    const traits = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`t${i}`, i]));
    await track(s.writeKey, "/v1/batch", {
      batch: [
        { type: "identify", userId: "p1", traits, messageId: "p-0" },
        ...Array.from({ length: 6 }, (_, i) => ({
          type: "track",
          userId: "p1",
          event: "E",
          messageId: `p-${i + 1}`,
        })),
      ],
    });
    await eventually(async () => {
      const res = await profiles(s, token, "users/profiles/user_id:p1/events?limit=100");
      return res.status === 200 && (await res.json<{ data: unknown[] }>()).data.length === 7
        ? true
        : undefined;
    });
    const seenTraits: string[] = [];
    let next = "";
    for (let i = 0; i < 10; i++) {
      const body = await json<{
        traits: Record<string, number>;
        cursor: { has_more: boolean; next: string };
      }>(
        await profiles(
          s,
          token,
          `users/profiles/user_id:p1/traits?limit=3&next=${encodeURIComponent(next)}`,
        ),
      );
      seenTraits.push(...Object.keys(body.traits));
      if (!body.cursor.has_more) break;
      next = body.cursor.next;
    }
    expect(seenTraits).toEqual(Object.keys(traits));
    const seenEvents: string[] = [];
    next = "";
    for (let i = 0; i < 10; i++) {
      const body = await json<{
        data: { message_id: string }[];
        cursor: { has_more: boolean; next: string };
      }>(
        await profiles(
          s,
          token,
          `users/profiles/user_id:p1/events?limit=2&sort=asc&next=${encodeURIComponent(next)}`,
        ),
      );
      seenEvents.push(...body.data.map((e) => e.message_id));
      if (!body.cursor.has_more) break;
      next = body.cursor.next;
    }
    expect(seenEvents.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `p-${i}`));
    const bad = await profiles(s, token, "users/profiles/user_id:p1/traits?limit=0");
    expect(bad.status).toBe(400);
  });
});

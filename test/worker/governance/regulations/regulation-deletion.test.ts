// A SUPPRESS_WITH_DELETE_INTERNAL regulation through the real path: events ingested and resolved
// into a profile, the regulation posted with a space token, its steps run by the IdentityGraph's
// alarm; afterwards D1, the Durable Objects' storage and R2 hold neither the raw identifiers nor
// their hashed forms, the other person's data is intact, and new events of the subject are
// answered 200 and dropped.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../../worker/platform/digest.ts";
import { importIdentitySecret, keyedIdentifierHash } from "../../../../worker/identity/hashing.ts";
import {
  archivedObjects,
  eventually,
  storedCount,
  storedEventually,
  track,
} from "../../support.ts";
import { as, issueToken, newSource } from "../../admin/admin-fixtures.ts";
import { searchD1, searchDurableObject, searchR2 } from "./storage-search.ts";
import { profileStub } from "../../../../worker/profiles/profile-name.ts";
import { TokenFilter } from "../../../../worker/archive/index.ts";

const EMAIL = "Del.Person@Example.com";

function graphOf(spaceId: string) {
  return env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
}

async function identityEmailHash(spaceId: string, email: string): Promise<string> {
  const secret = await runInDurableObject(
    graphOf(spaceId),
    (_i: unknown, state: DurableObjectState) => state.storage.kv.get<string>("secret"),
  );
  return keyedIdentifierHash(await importIdentitySecret(secret ?? ""), "email", email);
}

describe("deletion regulation", () => {
  it("erases the subject from D1, Durable Objects and R2, and suppresses new events", async () => {
    const s = await newSource();
    const batch = [
      {
        type: "identify",
        messageId: "d-1",
        userId: "del-user",
        anonymousId: "anon-del",
        traits: { email: EMAIL, plan: "gold" },
      },
      { type: "track", messageId: "d-2", anonymousId: "anon-del", event: "Page Viewed" },
      {
        type: "track",
        messageId: "d-3",
        userId: "del-user",
        event: "Order Completed",
        properties: { contact: EMAIL },
      },
      {
        type: "identify",
        messageId: "k-1",
        userId: "keep-user",
        traits: { email: "keep@example.com" },
      },
      { type: "track", messageId: "k-2", userId: "keep-user", event: "Order Completed" },
    ];
    expect((await track(s.writeKey, "/v1/batch", { batch })).status).toBe(200);
    await storedEventually(s.sourceId, 5);
    const graph = graphOf(s.spaceId);
    const profileOf = (key: string) => async () =>
      (await graph.partition()).find((p) => p.key === key)?.profileId;
    const deleted = await eventually(profileOf("users/user_id:del-user"));
    const kept = await eventually(profileOf("users/user_id:keep-user"));
    await eventually(async () => {
      const events = JSON.parse(await profileStub(env, s.spaceId, deleted).exportProfile()) as {
        events: string[];
      };
      return events.events.length === 3 ? true : undefined;
    });

    const needles = [
      "del-user",
      "anon-del",
      EMAIL.toLowerCase(),
      await sha256Hex(EMAIL.toLowerCase()),
      await identityEmailHash(s.spaceId, EMAIL.toLowerCase()),
    ];
    // The searches see the data before: otherwise "nothing found" afterwards would prove nothing.
    expect((await searchD1(needles)).length).toBeGreaterThan(0);
    expect(await searchR2(`source=${s.sourceId}/`, needles)).not.toEqual([]);
    expect(await searchDurableObject(graph, needles)).not.toEqual([]);
    expect(await searchDurableObject(profileStub(env, s.spaceId, deleted), needles)).not.toEqual(
      [],
    );
    const debuggerOf = env.SOURCE_DEBUGGER.get(env.SOURCE_DEBUGGER.idFromName(s.sourceId));
    const debuggerNeedles = needles.filter((n) => !n.includes("@"));
    await eventually(async () =>
      (await searchDurableObject(debuggerOf, debuggerNeedles)).length > 0 ? true : undefined,
    );

    const token = await issueToken(s.spaceId, "Admin");
    const created = await as(token.token, "POST", "/v1/regulations", {
      regulationType: "SUPPRESS_WITH_DELETE_INTERNAL",
      subjectType: "USER_ID",
      subjectIds: ["del-user"],
    });
    expect(created.status).toBe(201);
    const id = (created.json.data as { regulateId: string }).regulateId;
    const finished = await eventually(async () => {
      const res = await as(token.token, "GET", `/v1/regulations/${id}`);
      const regulation = res.json.regulation as {
        status: string;
        steps: { kind: string; status: string; count?: number }[];
      };
      return regulation.status === "FINISHED" ? regulation : undefined;
    }, 20_000);
    expect(finished.steps.map((step) => [step.kind, step.status])).toEqual([
      ["suppress", "succeeded"],
      ["resolve_profiles", "succeeded"],
      ["rewrite_r2_objects", "succeeded"],
      ["delete_d1_events", "succeeded"],
      ["delete_profile_storage", "succeeded"],
      ["delete_identity_index", "succeeded"],
    ]);
    // One archive object held the subject's three events (rewritten without them); D1 held one
    // row about the subject: the identity audit's record of the profile's creation.
    expect(finished.steps.find((step) => step.kind === "rewrite_r2_objects")?.count).toBe(1);
    expect(finished.steps.find((step) => step.kind === "delete_d1_events")?.count).toBe(1);

    expect(await searchD1(needles)).toEqual([]);
    expect(await searchR2(`source=${s.sourceId}/`, needles)).toEqual([]);
    expect(await searchDurableObject(graph, needles)).toEqual([]);
    expect(await searchDurableObject(profileStub(env, s.spaceId, deleted), needles)).toEqual([]);
    expect(await searchDurableObject(debuggerOf, needles)).toEqual([]);

    // The other person is untouched: rows, archive lines and profile.
    expect(await storedCount(s.sourceId)).toBe(2);
    expect(await searchR2(`source=${s.sourceId}/`, ["keep-user"])).not.toEqual([]);
    expect((await archivedObjects(s.sourceId)).length).toBe(1);
    // The rewritten object's token filter is rebuilt from what it kept: it no longer answers for
    // the subject (it would otherwise confirm to a reader of the index that they were there).
    const { tokens } = (await env.DB.prepare(
      "SELECT tokens FROM archive_objects WHERE source_id = ?",
    )
      .bind(s.sourceId)
      .first<{ tokens: string }>())!;
    const filter = new TokenFilter(tokens);
    expect(filter.mayHold("keep-user")).toBe(true);
    expect(["del-user", "anon-del", "d-1", "d-2", "d-3"].filter((t) => filter.mayHold(t))).toEqual(
      [],
    );
    expect(await graph.canonical(kept)).toBe(kept);

    // Suppressed at the edge: answered 200, dropped, counted.
    const again = await track(s.writeKey, "/v1/track", {
      userId: "del-user",
      event: "Came Back",
      messageId: "d-4",
    });
    expect(again.status).toBe(200);
    const suppressions = await as(token.token, "GET", `/admin/v1/spaces/${s.spaceId}/suppressions`);
    expect(suppressions.json).toMatchObject({
      subjects: 1,
      blockedEvents: [{ sourceId: s.sourceId, count: 1 }],
    });
    expect(await storedCount(s.sourceId)).toBe(2);

    // Regulation steps are in the audit log.
    const audit = await as(
      "test-admin-token",
      "GET",
      `/admin/v1/spaces/${s.spaceId}/audit?action=regulation.step.succeeded`,
    );
    expect((audit.json.entries as unknown[]).length).toBe(6);
  });
});

// Deletion forwarded to destinations through the real path: a regulation posted with a space token,
// its steps run by the IdentityGraph's alarm, the vendor's deletion request sent through
// delivery's egress door to the vendor receiver on 127.0.0.1. Amplitude gets exactly its User
// Privacy API request (https://amplitude.com/docs/apis/analytics/user-privacy); a webhook cannot
// delete and is recorded as unsupported; a failing vendor is retried by later alarms; a vendor
// refusing for good ends the regulation FAILED; the subject ids leave D1 once each destination is
// done.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN, admin, call, eventually, newSource, track } from "../../support.ts";
import { webhookDestination } from "../../delivery/destination-setup.ts";
import { Receiver } from "../../delivery/receiver.ts";
import { as, issueToken } from "../../admin/admin-fixtures.ts";
import { retryRegulationsNow } from "./regulation-alarms.ts";

const DELETIONS = "/api/2/deletions/users";

interface Regulation {
  status: string;
  steps: { kind: string; status: string; attempts: number; count?: number; error?: string }[];
  destinations: {
    destinationId: string;
    name: string | null;
    slug: string | null;
    status: string;
  }[];
}

let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

async function spaceWithDestinations() {
  const s = await newSource();
  const { destination } = await admin<{ destination: { id: string } }>(
    "POST",
    `/spaces/${s.spaceId}/destinations`,
    {
      slug: "amplitude",
      name: "Amplitude",
      settings: { apiKey: "AMP_API_KEY", secretKey: "AMP_SECRET" },
    },
  );
  const webhook = await webhookDestination(s.spaceId, "/hook");
  const token = await issueToken(s.spaceId, "Admin");
  return { ...s, amplitude: destination.id, webhook, token: token.token };
}

async function regulate(token: string, subjectType: string, subjectIds: string[]) {
  const created = await as(token, "POST", "/v1/regulations", {
    regulationType: "SUPPRESS_WITH_DELETE",
    subjectType,
    subjectIds,
  });
  expect(created.status).toBe(201);
  return (created.json.data as { regulateId: string }).regulateId;
}

async function regulationOf(token: string, id: string): Promise<Regulation> {
  return (await as(token, "GET", `/v1/regulations/${id}`)).json.regulation as Regulation;
}

const ENDED = new Set(["FINISHED", "FAILED", "PARTIAL_SUCCESS"]);

/** Fires the IdentityGraph's retry alarms (30 s apart in production) until the regulation ends. */
async function driveToEnd(spaceId: string, token: string, id: string): Promise<Regulation> {
  for (let round = 0; round < 60; round++) {
    const regulation = await regulationOf(token, id);
    if (ENDED.has(regulation.status)) return regulation;
    await retryRegulationsNow(spaceId, id);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the regulation did not end within 60 alarms");
}

async function subjectsLeft(regulationId: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM destination_deletions WHERE regulation_id = ? AND subjects IS NOT NULL",
  )
    .bind(regulationId)
    .first<{ n: number }>();
  return row?.n ?? -1;
}

describe("deletion at Foyer's own destination queues", () => {
  it("erases the person's waiting and dead-lettered events from every destination, keeps others'", async () => {
    const s = await newSource();
    const dst = await webhookDestination(s.spaceId, "/refusing");
    const token = (await issueToken(s.spaceId, "Admin")).token;
    // The vendor refuses everything: each event lands in the dead-letter store with its body.
    await receiver.fail("/refusing", Number.POSITIVE_INFINITY, 422);
    const batch = [
      { type: "identify", messageId: "dl-1", userId: "dl-user", traits: { plan: "gold" } },
      { type: "track", messageId: "dl-2", userId: "dl-user", event: "Order Completed" },
      { type: "track", messageId: "dl-keep", userId: "keep-user", event: "Order Completed" },
    ];
    expect((await track(s.writeKey, "/v1/batch", { batch })).status).toBe(200);
    const deadLetterIds = async () => {
      const { deadLetters } = await admin<{ deadLetters: { messageId: string }[] }>(
        "GET",
        `/spaces/${s.spaceId}/destinations/${dst}/dead-letters`,
      );
      return deadLetters.map((d) => d.messageId).sort();
    };
    await eventually(async () => ((await deadLetterIds()).length === 3 ? true : undefined));
    const id = await regulate(token, "USER_ID", ["dl-user"]);
    const done = await driveToEnd(s.spaceId, token, id);
    expect(done.status).toBe("PARTIAL_SUCCESS");
    expect(await deadLetterIds()).toEqual(["dl-keep"]);
    for (const messageId of ["dl-1", "dl-2"]) {
      const gone = await call(
        `/admin/v1/spaces/${s.spaceId}/destinations/${dst}/events/${messageId}`,
        { headers: ADMIN },
      );
      expect(gone.status).toBe(404);
    }
  });
});

describe("deletion forwarded to destinations", () => {
  it("sends Amplitude's documented deletion request once and records the webhook as unsupported", async () => {
    const s = await spaceWithDestinations();
    const id = await regulate(s.token, "USER_ID", ["del-user"]);
    const done = await eventually(async () => {
      const r = await regulationOf(s.token, id);
      return ENDED.has(r.status) ? r : undefined;
    }, 20_000);
    expect(done.status).toBe("FINISHED");
    expect(done.steps.at(-1)).toMatchObject({
      kind: "forward_to_destinations",
      status: "succeeded",
      count: 1,
    });
    expect(done.destinations.map((d) => [d.destinationId, d.slug, d.status]).sort()).toEqual(
      [
        [s.amplitude, "amplitude", "succeeded"],
        [s.webhook, "webhook", "unsupported"],
      ].sort(),
    );
    const requests = await receiver.at(DELETIONS);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: "POST",
      url: "https://amplitude.com/api/2/deletions/users",
    });
    expect(requests[0]?.headers.authorization).toBe(`Basic ${btoa("AMP_API_KEY:AMP_SECRET")}`);
    expect(requests[0]?.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      user_ids: ["del-user"],
      requester: "foyer",
      ignore_invalid_id: "True",
    });
    // The webhook got nothing: it has no deletion API.
    expect(await receiver.at("/hook")).toEqual([]);
    expect(await subjectsLeft(id)).toBe(0);
  });

  it("retries a vendor that fails for a while, on later alarms, then finishes", async () => {
    const s = await spaceWithDestinations();
    await receiver.fail(DELETIONS, 2, 503);
    const id = await regulate(s.token, "USER_ID", ["retry-user"]);
    const failedOnce = await eventually(async () => {
      const r = await regulationOf(s.token, id);
      const step = r.steps.find((x) => x.kind === "forward_to_destinations");
      return step?.status === "failed" ? { r, step } : undefined;
    }, 20_000);
    expect(failedOnce.r.status).toBe("RUNNING");
    expect(failedOnce.step.error).toMatch(/1 destination deletion\(s\) to retry/);
    expect(failedOnce.r.destinations.find((d) => d.slug === "amplitude")?.status).toBe("pending");
    const done = await driveToEnd(s.spaceId, s.token, id);
    expect(done.status).toBe("FINISHED");
    expect(done.destinations.find((d) => d.slug === "amplitude")?.status).toBe("succeeded");
    expect(done.steps.at(-1)?.attempts).toBe(3);
    const requests = await receiver.at(DELETIONS);
    expect(requests).toHaveLength(3);
    for (const r of requests)
      expect(JSON.parse(r.body)).toMatchObject({ user_ids: ["retry-user"] });
    expect(await subjectsLeft(id)).toBe(0);
  });

  it("ends FAILED when the vendor refuses the deletion, and keeps no subject ids", async () => {
    const s = await spaceWithDestinations();
    await receiver.fail(DELETIONS, Infinity, 400);
    const id = await regulate(s.token, "USER_ID", ["refused-user"]);
    const done = await driveToEnd(s.spaceId, s.token, id);
    expect(done.status).toBe("FAILED");
    expect(done.steps.at(-1)).toMatchObject({
      kind: "forward_to_destinations",
      status: "failed",
      error: "PermanentStepError: 1 destination deletion(s) failed",
    });
    expect(done.destinations.find((d) => d.slug === "amplitude")?.status).toBe("failed");
    // A 4xx is not retried: one request, the regulation ended at once.
    expect(await receiver.at(DELETIONS)).toHaveLength(1);
    expect(await subjectsLeft(id)).toBe(0);
  });

  it("records anonymous ids as unsupported where the vendor cannot key them", async () => {
    const s = await spaceWithDestinations();
    const id = await regulate(s.token, "ANONYMOUS_ID", ["anon-1"]);
    const done = await driveToEnd(s.spaceId, s.token, id);
    expect(done.status).toBe("PARTIAL_SUCCESS");
    expect(done.steps.at(-1)?.status).toBe("not_supported");
    expect(done.destinations.map((d) => d.status)).toEqual(["unsupported", "unsupported"]);
    expect(await receiver.at(DELETIONS)).toEqual([]);
  });
});

// Lineage from what delivery really did: a tracked event goes through ingestion, the delivery
// Queue and each destination's Durable Object, which records its outcome; the lineage API then
// answers "why did destination X (not) get event Y" from those records.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN, call, eventually, newSource, storedEventually, track } from "../../support.ts";
import { overviewOf, webhookDestination } from "../destination-setup.ts";
import { Receiver } from "../receiver.ts";

let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

interface Entry {
  destination: string;
  destinationId: string | null;
  status: string;
  allowed: boolean;
  reason: string;
  recorded: boolean;
  missingCategories?: string[];
  attempts?: number;
}

async function lineage(sourceId: string, messageId: string, query = "") {
  const res = await call(`/admin/v1/sources/${sourceId}/events/${messageId}/lineage${query}`, {
    headers: ADMIN,
  });
  expect(res.status).toBe(200);
  return (await res.json<{ lineage: { deliveries: Entry[] } }>()).lineage;
}

describe("lineage from delivery records", () => {
  it("shows the delivered and the consent-filtered destination of a real event", async () => {
    const s = await newSource();
    const hook = await webhookDestination(s.spaceId, "/open");
    const ads = await webhookDestination(s.spaceId, "/ads", {
      name: "Ads Hook",
      consentCategories: ["marketing"],
    });
    const res = await track(s.writeKey, "/v1/track", {
      userId: "lineage-user",
      messageId: "lin-1",
      event: "Order Completed",
      context: { consent: { categoryPreferences: { marketing: false } } },
    });
    expect(res.status).toBe(200);
    await storedEventually(s.sourceId, 1);
    await eventually(async () =>
      (await overviewOf(s.spaceId, hook)).delivered === 1 ? 1 : undefined,
    );
    await eventually(async () =>
      (await overviewOf(s.spaceId, ads)).filtered.total === 1 ? 1 : undefined,
    );
    expect(await receiver.at("/open")).toHaveLength(1);
    expect(await receiver.at("/ads")).toEqual([]);

    const all = await eventually(async () => {
      const l = await lineage(s.sourceId, "lin-1");
      return l.deliveries.length === 2 ? l.deliveries : undefined;
    });
    expect(all).toEqual([
      expect.objectContaining({
        destination: "Ads Hook",
        destinationId: ads,
        status: "filtered",
        allowed: false,
        reason: "FILTERED_BY_END_USER_CONSENT",
        missingCategories: ["marketing"],
        recorded: true,
      }),
      expect.objectContaining({
        destination: "Webhook",
        destinationId: hook,
        status: "delivered",
        allowed: true,
        reason: "DESTINATION_NOT_MAPPED",
        attempts: 1,
        recorded: true,
      }),
    ]);
    // One destination, by name or by id.
    const byName = await lineage(s.sourceId, "lin-1", "?destination=Ads%20Hook");
    expect(byName.deliveries.map((d) => [d.destinationId, d.status])).toEqual([[ads, "filtered"]]);
    const byId = await lineage(s.sourceId, "lin-1", `?destination=${hook}`);
    expect(byId.deliveries.map((d) => [d.destination, d.status])).toEqual([
      ["Webhook", "delivered"],
    ]);
  });

  it("records a refused delivery as failed, and a destination added later as not evaluated", async () => {
    const s = await newSource();
    const hook = await webhookDestination(s.spaceId, "/flaky");
    // A 4xx is not retried (so no Queue retry outlives the test): dead-lettered at once.
    await receiver.fail("/flaky", Infinity, 400);
    await track(s.writeKey, "/v1/track", { userId: "u", messageId: "lin-2", event: "Viewed" });
    await storedEventually(s.sourceId, 1);
    const failed = await eventually(async () => {
      const [entry] = (await lineage(s.sourceId, "lin-2")).deliveries;
      return entry?.status === "failed" ? entry : undefined;
    });
    expect(failed).toMatchObject({ destinationId: hook, allowed: true, attempts: 1 });
    expect((failed as unknown as { error: string }).error).toMatch(/400/);
    expect((await overviewOf(s.spaceId, hook)).failed).toBe(1);
    // Replayed from the dead-letter store: the lineage follows the replay.
    await receiver.fail("/flaky", 0);
    const replay = await call(
      `/admin/v1/spaces/${s.spaceId}/destinations/${hook}/dead-letters/replay`,
      {
        method: "POST",
        headers: ADMIN,
      },
    );
    expect(replay.status).toBe(200);
    await replay.body?.cancel();
    const replayed = await eventually(async () => {
      const [entry] = (await lineage(s.sourceId, "lin-2")).deliveries;
      return entry?.status === "delivered" ? entry : undefined;
    });
    expect(replayed).toMatchObject({ allowed: true, reason: "DEAD_LETTER_REPLAY", recorded: true });
    expect(await receiver.at("/flaky")).toHaveLength(2);
    // A destination created after the event never saw it: the answer is what it would decide now.
    await webhookDestination(s.spaceId, "/late", {
      name: "Late Hook",
      consentCategories: ["ads"],
      requireConsent: true,
    });
    const late = await lineage(s.sourceId, "lin-2", "?destination=Late%20Hook");
    expect(late.deliveries).toEqual([
      expect.objectContaining({
        destination: "Late Hook",
        status: "not_evaluated",
        allowed: false,
        reason: "FILTERED_BY_END_USER_CONSENT",
        missingCategories: ["ads"],
        recorded: false,
      }),
    ]);
  });
});

// Each regulation keeps its own retry schedule in the space's runner (the IdentityGraph's alarm):
// a regulation whose vendor deletion keeps failing waits out delivery's backoff without holding
// up the regulations posted after it, and new regulations neither wake it early nor spend its
// attempts (16 in all, over more than 4 hours). Through the real path: regulations posted with a
// space token, the vendor's deletion request sent to the vendor receiver on 127.0.0.1.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { admin, eventually, newSource } from "../../support.ts";
import { Receiver } from "../../delivery/receiver.ts";
import { as, issueToken } from "../../admin/admin-fixtures.ts";
import { RegulationWorkStore } from "../../../../worker/governance/regulations/graph-work-store.ts";
import {
  graphOf,
  makeRegulationsDue,
  nextAttempts,
  regulationAlarm,
  retryRegulationsNow,
} from "./regulation-alarms.ts";

const DELETIONS = "/api/2/deletions/users";

interface Step {
  kind: string;
  status: string;
  attempts: number;
  updatedAt: string;
}
interface Regulation {
  status: string;
  steps: Step[];
}

let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

/** A space with an Amplitude destination whose User Privacy API answers 503 until told not to. */
async function spaceWithFailingVendor() {
  const s = await newSource();
  await admin("POST", `/spaces/${s.spaceId}/destinations`, {
    slug: "amplitude",
    name: "Amplitude",
    settings: { apiKey: "AMP_API_KEY", secretKey: "AMP_SECRET" },
  });
  await receiver.fail(DELETIONS, Number.POSITIVE_INFINITY, 503);
  return { spaceId: s.spaceId, token: (await issueToken(s.spaceId, "Admin")).token };
}

async function regulate(token: string, regulationType: string, userId: string): Promise<string> {
  const created = await as(token, "POST", "/v1/regulations", {
    regulationType,
    subjectType: "USER_ID",
    subjectIds: [userId],
  });
  expect(created.status).toBe(201);
  return (created.json.data as { regulateId: string }).regulateId;
}

async function regulationOf(token: string, id: string): Promise<Regulation> {
  return (await as(token, "GET", `/v1/regulations/${id}`)).json.regulation as Regulation;
}

const forwardStep = (r: Regulation): Step | undefined =>
  r.steps.find((s) => s.kind === "forward_to_destinations");

/** Posts a deletion the vendor refuses to process for now; waits for its first failed attempt. */
async function failingDeletion(token: string): Promise<{ id: string; failedAt: number }> {
  const id = await regulate(token, "SUPPRESS_WITH_DELETE", "stuck-user");
  const step = await eventually(async () => {
    const forward = forwardStep(await regulationOf(token, id));
    return forward?.status === "failed" ? forward : undefined;
  });
  expect(step.attempts).toBe(1);
  return { id, failedAt: Date.parse(step.updatedAt) };
}

describe("regulation retry schedule", () => {
  it("runs a regulation posted behind a retrying one at once, and retries that one when due", async () => {
    const s = await spaceWithFailingVendor();
    const stuck = await failingDeletion(s.token);

    const suppression = await regulate(s.token, "SUPPRESS_ONLY", "later-user");
    const done = await eventually(async () => {
      const r = await regulationOf(s.token, suppression);
      return r.status === "FINISHED" ? r : undefined;
    }, 3_000);
    expect(done.steps).toMatchObject([{ kind: "suppress", status: "succeeded", attempts: 1 }]);

    // The stuck one was not run again: it waits for delivery's first backoff, 15–30 s.
    const waiting = await regulationOf(s.token, stuck.id);
    expect(waiting.status).toBe("RUNNING");
    expect(forwardStep(waiting)).toMatchObject({ status: "failed", attempts: 1 });
    expect(await receiver.at(DELETIONS)).toHaveLength(1);
    const next = (await nextAttempts(s.spaceId))[stuck.id];
    expect(Object.keys(await nextAttempts(s.spaceId))).toEqual([stuck.id]);
    expect(next! - stuck.failedAt).toBeGreaterThanOrEqual(15_000);
    expect(next! - stuck.failedAt).toBeLessThanOrEqual(30_000 + 2_000);
    // The alarm waits for the earliest open attempt: the stuck one's.
    expect(await regulationAlarm(s.spaceId)).toBe(next);

    // Its time comes and the vendor is back: the second attempt finishes it.
    await receiver.fail(DELETIONS, 0);
    await retryRegulationsNow(s.spaceId, stuck.id);
    const finished = await regulationOf(s.token, stuck.id);
    expect(finished.status).toBe("FINISHED");
    expect(forwardStep(finished)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await receiver.at(DELETIONS)).toHaveLength(2);
    // Nothing is open: no alarm is left set.
    expect(await nextAttempts(s.spaceId)).toEqual({});
    expect(await regulationAlarm(s.spaceId)).toBeNull();
  }, 20_000);

  it("spends none of a retrying regulation's attempts when new ones are posted", async () => {
    const s = await spaceWithFailingVendor();
    const stuck = await failingDeletion(s.token);

    const later: string[] = [];
    for (const userId of ["later-1", "later-2", "later-3"])
      later.push(await regulate(s.token, "SUPPRESS_ONLY", userId));
    // Settled once every later one finished, or as soon as the stuck one was run again.
    await eventually(async () => {
      const stuckNow = forwardStep(await regulationOf(s.token, stuck.id));
      if (stuckNow?.attempts !== 1 || stuckNow.status !== "failed") return true;
      const statuses = await Promise.all(
        later.map(async (id) => (await regulationOf(s.token, id)).status),
      );
      return statuses.every((status) => status === "FINISHED") ? true : undefined;
    }, 3_000);
    expect(forwardStep(await regulationOf(s.token, stuck.id))).toMatchObject({
      status: "failed",
      attempts: 1,
    });
    expect(await receiver.at(DELETIONS)).toHaveLength(1);
    for (const id of later) expect((await regulationOf(s.token, id)).status).toBe("FINISHED");

    // A cron wake-up (the hourly safety net) does not advance it either.
    const scheduled = (await nextAttempts(s.spaceId))[stuck.id];
    await env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(s.spaceId)).wakeRegulations();
    expect(await regulationAlarm(s.spaceId)).toBe(scheduled);

    // When its backoff has passed it is tried again, once, and rescheduled further out.
    await retryRegulationsNow(s.spaceId);
    const again = await regulationOf(s.token, stuck.id);
    expect(again.status).toBe("RUNNING");
    expect(forwardStep(again)).toMatchObject({ status: "failed", attempts: 2 });
    expect(await receiver.at(DELETIONS)).toHaveLength(2);
    const rescheduled = (await nextAttempts(s.spaceId))[stuck.id]!;
    // Delivery's second backoff: 30–60 s after the failure.
    expect(rescheduled - Date.parse(forwardStep(again)!.updatedAt)).toBeGreaterThanOrEqual(30_000);
    expect(await regulationAlarm(s.spaceId)).toBe(rescheduled);
  }, 20_000);

  it("upgrades storage written before per-regulation schedules: its open work is due at once", async () => {
    const s = await spaceWithFailingVendor();
    const stuck = await failingDeletion(s.token);
    // The table as the IdentityGraph wrote it before: the same work, no schedule column.
    await runInDurableObject(graphOf(s.spaceId), (_i: unknown, state: DurableObjectState) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE old_work (
        id TEXT PRIMARY KEY, space_id TEXT NOT NULL, subject_type TEXT NOT NULL,
        subjects TEXT NOT NULL, resolved TEXT, created_at INTEGER NOT NULL)`);
      sql.exec(
        `INSERT INTO old_work SELECT id, space_id, subject_type, subjects, resolved, created_at
         FROM regulation_work`,
      );
      sql.exec("DROP TABLE regulation_work");
      sql.exec("ALTER TABLE old_work RENAME TO regulation_work");
      new RegulationWorkStore(sql);
    });
    expect(await nextAttempts(s.spaceId)).toEqual({ [stuck.id]: 0 });
    await runDurableObjectAlarm(graphOf(s.spaceId));
    expect(forwardStep(await regulationOf(s.token, stuck.id))).toMatchObject({
      status: "failed",
      attempts: 2,
    });
    expect((await nextAttempts(s.spaceId))[stuck.id]).toBeGreaterThan(Date.now());
  }, 20_000);

  it("keeps running the others when one regulation's run breaks off outside its steps", async () => {
    const s = await spaceWithFailingVendor();
    const broken = await failingDeletion(s.token);
    // Its record in D1 cannot be read (as while D1 fails): the run throws before any step.
    await env.DB.prepare("UPDATE regulations SET state = '{' WHERE id = ?").bind(broken.id).run();
    await makeRegulationsDue(s.spaceId, broken.id);
    const before = Date.now();

    // Posted after it: the same alarm runs the broken one first, then this one.
    const suppression = await regulate(s.token, "SUPPRESS_ONLY", "later-user");
    await eventually(async () => {
      const r = await regulationOf(s.token, suppression);
      return r.status === "FINISHED" ? r : undefined;
    }, 3_000);
    const next = (await nextAttempts(s.spaceId))[broken.id]!;
    expect(next - before).toBeGreaterThanOrEqual(15_000);
    expect(await regulationAlarm(s.spaceId)).toBe(next);
  }, 20_000);
});

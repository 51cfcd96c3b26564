// A deletion request's archive erasure against the orphan sweep and the consumer, with the real D1
// and R2, each interleaving forced at the point where it matters. Two invariants: every object in
// R2 has an index row, so the sweep, retention and deletion can reach it, and every `stored` row
// has its object. Unfinished objects (`writing`, `orphan`) are read by the erasure and left to the
// consumer or the sweep; the erasure waits (a retryable failure) while one holds a subject's event.
// Storage is shared by the tests of this file; each works on its own source.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storeChunks } from "../../../../worker/pipeline/ingest-consumer.ts";
import {
  rewriteSubjectObjects,
  UnfinishedArchiveObjectsError,
} from "../../../../worker/governance/regulations/erasure/r2.ts";
import { subjectsOnly } from "../../../../worker/governance/regulations/subjects.ts";
import { ORPHAN_AGE_MS } from "../../../../worker/governance/retention/orphan-age.ts";
import { sweepOrphans } from "../../../../worker/governance/retention/orphan-sweep.ts";
import { purgeExpired } from "../../../../worker/governance/retention/purge.ts";
import {
  chunkOf,
  envWithFailingBatch,
  objectRows,
  objectText,
} from "../../archive/archive-fixtures.ts";
import { searchR2 } from "../regulations/storage-search.ts";
import { newSource } from "../../support.ts";

const SUBJECT = subjectsOnly("USER_ID", ["del-user"]);

/** A sweep run late enough that every unfinished row is past the orphan age. */
const sweepLater = () => sweepOrphans(env, Date.now() + ORPHAN_AGE_MS + 60_000);

/** Keys that break an invariant: in R2 without a row, or `stored` without an object. */
async function broken(sourceId: string) {
  const listing = await env.ARCHIVE.list({ prefix: `source=${sourceId}/` });
  const inR2 = listing.objects.map((o) => o.key);
  const rows = await objectRows(sourceId);
  return {
    objectsWithoutRow: inR2.filter((key) => !rows.some((row) => row.key === key)),
    storedWithoutObject: rows
      .filter((row) => row.state === "stored" && !inR2.includes(row.key))
      .map((row) => row.key),
  };
}
const INTACT = { objectsWithoutRow: [], storedWithoutObject: [] };

/** A source with a stored object (both people) and an orphan of a failed batch (both people). */
async function sourceWithOrphan() {
  const s = await newSource();
  await storeChunks(env, [await chunkOf(s, "stored", ["del-user", "keep-user"])]);
  const orphanChunk = await chunkOf(s, "orphan", ["del-user", "keep-user"]);
  await expect(storeChunks(envWithFailingBatch(), [orphanChunk])).rejects.toThrow();
  const orphan = (await objectRows(s.sourceId)).find((row) => row.state === "writing")!;
  return { ...s, orphan: orphan.key };
}

/** The real env, except that `hook` runs once, right after the R2 read of `key` returns. */
function envRunningAfterRead(key: string, hook: () => Promise<unknown>): Env {
  let fired = false;
  const archive = new Proxy(env.ARCHIVE, {
    get(target, property) {
      if (property === "get") {
        return async (k: string) => {
          const object = await target.get(k);
          if (k !== key || fired || !object) return object;
          fired = true;
          const text = await object.text();
          await hook();
          return {
            text: () => Promise.resolve(text),
            httpMetadata: object.httpMetadata,
            customMetadata: object.customMetadata,
          };
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { ...env, ARCHIVE: archive };
}

/** The real env, except that `hook` runs before each D1 batch (after the consumer's R2 put). */
function envRunningBeforeBatch(hook: () => Promise<unknown>): Env {
  const db = new Proxy(env.DB, {
    get(target, property) {
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          await hook();
          return target.batch(statements);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { ...env, DB: db };
}

describe("archive erasure and the orphan sweep", () => {
  it("the sweep first: the erasure finds the orphan gone and rewrites the stored object", async () => {
    const s = await sourceWithOrphan();
    expect(await sweepLater()).toBeGreaterThanOrEqual(1);
    expect(await rewriteSubjectObjects(env, s.spaceId, SUBJECT)).toBe(1);
    expect(await broken(s.sourceId)).toEqual(INTACT);
    expect(await searchR2(`source=${s.sourceId}/`, ["del-user"])).toEqual([]);
    expect(await searchR2(`source=${s.sourceId}/`, ["keep-user"])).toHaveLength(1);
  });

  it("the erasure first: it leaves the orphan to the sweep and finishes after it", async () => {
    const s = await sourceWithOrphan();
    const before = await objectText(s.orphan);
    await expect(rewriteSubjectObjects(env, s.spaceId, SUBJECT)).rejects.toThrow(
      UnfinishedArchiveObjectsError,
    );
    // Untouched: not rewritten, not deleted, still the consumer's or the sweep's.
    expect(await objectText(s.orphan)).toBe(before);
    expect((await objectRows(s.sourceId)).map((r) => r.state).sort()).toEqual([
      "stored",
      "writing",
    ]);
    expect(await sweepLater()).toBeGreaterThanOrEqual(1);
    expect(await rewriteSubjectObjects(env, s.spaceId, SUBJECT)).toBe(1);
    expect(await broken(s.sourceId)).toEqual(INTACT);
    expect(await searchR2(`source=${s.sourceId}/`, ["del-user"])).toEqual([]);
  });

  it("the sweep claims and deletes the orphan while the erasure holds its read", async () => {
    const s = await sourceWithOrphan();
    let swept = 0;
    const racing = envRunningAfterRead(s.orphan, async () => {
      swept = await sweepLater();
    });
    const outcome = await rewriteSubjectObjects(racing, s.spaceId, SUBJECT).catch(
      (error: unknown) => error,
    );
    expect(swept).toBeGreaterThanOrEqual(1);
    // Nothing was put back under the swept key.
    expect(await broken(s.sourceId)).toEqual(INTACT);
    expect(await objectText(s.orphan)).toBeNull();
    expect(outcome).toBeInstanceOf(UnfinishedArchiveObjectsError);
    expect(await rewriteSubjectObjects(env, s.spaceId, SUBJECT)).toBe(1);
    expect(await broken(s.sourceId)).toEqual(INTACT);
    expect(await searchR2(`source=${s.sourceId}/`, ["del-user"])).toEqual([]);
  });

  it("a claimed orphan (a sweep stopped before its deletes) is left to the next sweep", async () => {
    const s = await sourceWithOrphan();
    await env.DB.prepare("UPDATE archive_objects SET state = 'orphan' WHERE key = ?")
      .bind(s.orphan)
      .run();
    await expect(rewriteSubjectObjects(env, s.spaceId, SUBJECT)).rejects.toThrow(
      UnfinishedArchiveObjectsError,
    );
    expect(await objectText(s.orphan)).toContain("del-user");
    await sweepOrphans(env, Date.now());
    expect(await objectText(s.orphan)).toBeNull();
    expect(await rewriteSubjectObjects(env, s.spaceId, SUBJECT)).toBe(1);
    expect(await broken(s.sourceId)).toEqual(INTACT);
  });
});

describe("archive erasure and a write in flight", () => {
  it("leaves to the sweep an object whose chunks were indexed after the sweep claimed it", async () => {
    const s = await newSource();
    const chunk = await chunkOf(s, "late", ["del-user", "keep-user"]);
    // A batch that outlived the orphan age: the sweep claims its row before the batch commits,
    // so the chunk and event rows name an object that stays `orphan`.
    const late = envRunningBeforeBatch(() =>
      env.DB.prepare("UPDATE archive_objects SET state = 'orphan' WHERE source_id = ?")
        .bind(s.sourceId)
        .run(),
    );
    await storeChunks(late, [chunk]);
    const [row] = await objectRows(s.sourceId);
    expect(row).toMatchObject({ state: "orphan" });
    const before = await objectText(row!.key);

    await expect(rewriteSubjectObjects(env, s.spaceId, SUBJECT)).rejects.toThrow(
      UnfinishedArchiveObjectsError,
    );
    expect(await objectText(row!.key)).toBe(before);
    await sweepOrphans(env, Date.now());
    expect(await rewriteSubjectObjects(env, s.spaceId, SUBJECT)).toBe(0);
    expect(await broken(s.sourceId)).toEqual(INTACT);
    expect(await objectRows(s.sourceId)).toEqual([]);
  });

  it("never empties a live object before the consumer marks it stored", async () => {
    const s = await newSource();
    const chunk = await chunkOf(s, "live", ["del-user"]);
    let during: unknown;
    // The erasure runs between the consumer's R2 put and its D1 batch.
    const consumer = envRunningBeforeBatch(async () => {
      during = await rewriteSubjectObjects(env, s.spaceId, SUBJECT).catch(
        (error: unknown) => error,
      );
    });
    await storeChunks(consumer, [chunk]);
    expect(await broken(s.sourceId)).toEqual(INTACT);
    const [row] = await objectRows(s.sourceId);
    expect(row).toMatchObject({ state: "stored", event_count: 1 });
    expect(during).toBeInstanceOf(UnfinishedArchiveObjectsError);

    // Indexed now: the erasure's next attempt reaches it through its events and deletes it.
    expect(await rewriteSubjectObjects(env, s.spaceId, SUBJECT)).toBe(1);
    expect(await objectRows(s.sourceId)).toEqual([]);
    expect(await broken(s.sourceId)).toEqual(INTACT);
  });
});

describe("archive erasure and retention", () => {
  it("leaves no object behind when retention removes the one it is rewriting", async () => {
    const s = await newSource({ retentionDays: 7 });
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await storeChunks(env, [await chunkOf(s, "old", ["del-user", "keep-user"], eightDaysAgo)]);
    const [row] = await objectRows(s.sourceId);
    expect(row).toMatchObject({ state: "stored" });
    // Retention's hourly run removes the object and its rows between the erasure's read and put.
    const racing = envRunningAfterRead(row!.key, () => purgeExpired(env, Date.now()));
    expect(await rewriteSubjectObjects(racing, s.spaceId, SUBJECT)).toBe(1);
    expect(await objectRows(s.sourceId)).toEqual([]);
    expect(await broken(s.sourceId)).toEqual(INTACT);
  });
});

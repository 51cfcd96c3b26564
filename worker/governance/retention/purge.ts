// Retention: events older than their retention (default 90 days, counted from receipt as Segment
// counts it, https://segment.com/docs/privacy/data-retention-policy/) leave the R2 archive (whole
// objects, by their earliest receipt) and the profiles' event history. A source's
// own retention applies, capped by its space's when the space sets one. Run by the cron handler
// with the scheduled time as "now", so tests control the clock. Work is done in bounded slices.
// The same cron wakes the runners of regulations that are still open (a safety net for alarms)
// and sweeps the archive's orphans (orphan-sweep.ts).
import { DEFAULT_RETENTION_DAYS } from "../../gate/index.ts";
import { spacesWithOpenRegulations } from "../regulations/store.ts";
import { listSources, type SourceRow } from "../../sources/index.ts";
import { sweepOrphans } from "./orphan-sweep.ts";
import { profileStub } from "../../profiles/index.ts";
import { compactFilters, hourIndexKey } from "../../archive/index.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const SLICE = 1_000;
const MAX_SLICES_PER_SOURCE = 50;
/** Profiles whose history one cron run trims per space (one page); the next run continues. */
const MAX_PROFILES_PER_SPACE = 5_000;

export interface PurgeReport {
  /** Events in the archive objects removed. */
  events: number;
  objects: number;
  /** Events removed from profiles' history in Durable Objects. */
  historyEvents: number;
  /** Spaces whose regulation runner was woken. */
  regulationSpaces: number;
  /** Archive objects written but never indexed, deleted with their write intents. */
  orphans: number;
  /** Archive objects whose token filter moved from D1 to its hour's R2 index object. */
  filters: number;
  /** What failed this run (`space <id>`, `source <id>`, `orphans`…); the rest still ran. */
  failures: string[];
}

/** A source's retention in days: its own, capped by the space's when the space sets one (pure). */
export function effectiveRetentionDays(sourceDays: number, spaceDays: number | null): number {
  return spaceDays === null ? sourceDays : Math.min(sourceDays, spaceDays);
}

/** Every state: an unfinished (`writing`) object past retention goes too, with its intent row. */
async function purgeObjects(
  env: Env,
  sourceId: string,
  cutoff: number,
): Promise<{ objects: number; events: number }> {
  let total = 0;
  let events = 0;
  for (let slice = 0; slice < MAX_SLICES_PER_SOURCE; slice++) {
    const { results } = await env.DB.prepare(
      "SELECT key, event_count, received_at FROM archive_objects WHERE source_id = ? AND received_at < ? LIMIT ?",
    )
      .bind(sourceId, cutoff, SLICE)
      .all<{ key: string; event_count: number; received_at: number }>();
    if (results.length === 0) break;
    const keys = results.map((row) => row.key);
    // With them go the filter index objects of hours that ended before the cutoff (an hour the
    // cutoff falls in keeps its index: its later objects are still there).
    const hours = new Set(
      results
        .filter((row) => row.received_at - (row.received_at % HOUR_MS) + HOUR_MS <= cutoff)
        .map((row) => hourIndexKey(row.key)),
    );
    await env.ARCHIVE.delete(keys);
    if (hours.size > 0) await env.ARCHIVE.delete([...hours]);
    const drop = env.DB.prepare("DELETE FROM archive_objects WHERE key = ?");
    await env.DB.batch(keys.map((key) => drop.bind(key)));
    total += keys.length;
    events += results.reduce((n, row) => n + row.event_count, 0);
    if (keys.length < SLICE) break;
  }
  return { objects: total, events };
}

async function spaceRetention(env: Env): Promise<Map<string, number | null>> {
  const { results } = await env.DB.prepare(
    "SELECT space_id, retention_days FROM space_privacy",
  ).all<{ space_id: string; retention_days: number | null }>();
  return new Map(results.map((r) => [r.space_id, r.retention_days]));
}

/**
 * Trims the history of one page of the space's profiles (from the graph's persisted cursor) to
 * each source's cutoff, then moves the cursor on: every profile is reached within
 * ⌈profiles ÷ page⌉ runs however many the space has.
 */
async function purgeHistory(
  env: Env,
  spaceId: string,
  cutoffs: Record<string, number>,
  fallback: number,
  pageSize: number,
): Promise<number> {
  const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
  const page = await graph.retentionPage(pageSize);
  let total = 0;
  for (const id of page) {
    total += await profileStub(env, spaceId, id).purgeHistory(cutoffs, fallback);
  }
  await graph.retentionDone(page.length < pageSize ? null : (page[page.length - 1] ?? null));
  return total;
}

export interface PurgeOptions {
  /** Profiles whose history one run trims per space (default 5,000); the next run continues. */
  profilesPerRun?: number;
}

/** Runs `work`; a failure is logged and named in `failures`, and the caller goes on. */
async function isolated(failures: string[], what: string, work: () => Promise<void>) {
  try {
    await work();
  } catch (error) {
    failures.push(what);
    console.error("hourly cron step failed", {
      what,
      error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown",
    });
  }
}

/**
 * The hourly cron at time `now` (epoch ms): retention (events, archive objects, profile history),
 * the regulation wake-up and the orphan sweep. Each source, each space and each of the three jobs
 * runs on its own: one failing (a space flooded through its public write key, D1 refusing) is
 * reported in `failures` and stops nothing else.
 */
export async function purgeExpired(
  env: Env,
  now: number,
  options: PurgeOptions = {},
): Promise<PurgeReport> {
  const report: PurgeReport = {
    events: 0,
    objects: 0,
    historyEvents: 0,
    regulationSpaces: 0,
    orphans: 0,
    filters: 0,
    failures: [],
  };
  const failures = report.failures;
  const pageSize = options.profilesPerRun ?? MAX_PROFILES_PER_SPACE;
  await isolated(failures, "retention", async () => {
    const spaces = await spaceRetention(env);
    const bySpace = new Map<string, SourceRow[]>();
    for (const source of await listSources(env)) {
      bySpace.set(source.spaceId, [...(bySpace.get(source.spaceId) ?? []), source]);
      const days = effectiveRetentionDays(source.retentionDays, spaces.get(source.spaceId) ?? null);
      const cutoff = now - days * DAY_MS;
      await isolated(failures, `source ${source.id}`, async () => {
        const purged = await purgeObjects(env, source.id, cutoff);
        report.objects += purged.objects;
        report.events += purged.events;
      });
    }
    for (const [spaceId, sources] of bySpace) {
      const spaceDays = spaces.get(spaceId) ?? null;
      // Plain object: it crosses RPC (structured clone refuses null-prototype objects); its keys
      // are source ids this worker minted.
      const cutoffs: Record<string, number> = {};
      for (const source of sources) {
        cutoffs[source.id] = now - effectiveRetentionDays(source.retentionDays, spaceDays) * DAY_MS;
      }
      const fallback = now - (spaceDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS;
      await isolated(failures, `space ${spaceId}`, async () => {
        report.historyEvents += await purgeHistory(env, spaceId, cutoffs, fallback, pageSize);
      });
    }
  });
  await isolated(failures, "filters", async () => {
    report.filters += await compactFilters(env, now);
  });
  await isolated(failures, "regulations", async () => {
    for (const spaceId of await spacesWithOpenRegulations(env)) {
      await isolated(failures, `regulations ${spaceId}`, async () => {
        await env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId)).wakeRegulations();
        report.regulationSpaces++;
      });
    }
  });
  await isolated(failures, "orphans", async () => {
    report.orphans = await sweepOrphans(env, now);
  });
  return report;
}

// The space's IdentityGraph as `worker/index.ts` exports it: the identity core
// (identity/graph-object.ts) plus the regulation work it hosts. A regulation's subjects are
// resolved against the identity index inside this object, and its steps run from the object's
// alarm (runner.ts), so deletion and suppression reach every profile the index knows, one space at
// a time. Living here, governance imports identity; identity never imports governance.
import { eraseProfiles, foldedInto, IdentityGraphCore } from "../../identity/index.ts";
import { alarmWithNewWork, isDue, nextAlarmAt, retryAt } from "../../platform/index.ts";
import { profileStub } from "../../profiles/index.ts";
import { RegulationWorkStore } from "./graph-work-store.ts";
import { runRegulation, type RegulationHost, type RegulationWork } from "./runner.ts";
import { mergeSubjects, subjectsOnly, type ResolvedSubjects } from "./subjects.ts";

const SUBJECT_ID_TYPE = {
  USER_ID: "user_id",
  ANONYMOUS_ID: "anonymous_id",
  EMAIL: "email",
} as const;

export class IdentityGraph extends IdentityGraphCore implements RegulationHost {
  private readonly regulations: RegulationWorkStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.regulations = new RegulationWorkStore(ctx.storage.sql);
  }

  protected override otherAlarmTimes(): number[] {
    return this.regulations.nextAttempts();
  }

  /**
   * Runs every open regulation that is due, oldest first, and skips those still waiting out a
   * retry. A regulation that stops at a failed step gets its own next attempt.
   */
  protected override async runOtherDueWork(now: number): Promise<void> {
    for (const { work, nextAttemptAt } of this.regulations.open())
      if (isDue(nextAttemptAt, now)) await this.runDue(work);
  }

  /** Takes a regulation's subjects, due now, and wakes the runner for it (only for it). */
  async enqueueRegulation(work: RegulationWork): Promise<void> {
    const now = Date.now();
    this.regulations.add({ ...work, resolved: null }, now);
    await this.ctx.storage.setAlarm(alarmWithNewWork(await this.ctx.storage.getAlarm(), now));
  }

  /** Sets the runner's alarm if regulations are open and it has none (the hourly cron's safety net). */
  async wakeRegulations(): Promise<number> {
    const attempts = this.regulations.nextAttempts();
    const merge = this.merges.nextAttemptAt();
    const next = nextAlarmAt(merge === undefined ? attempts : [...attempts, merge]);
    if (next !== undefined && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(next);
    return attempts.length;
  }

  private async runDue(work: RegulationWork): Promise<void> {
    try {
      const run = await runRegulation(this.env, this, work);
      if (run.ended) this.regulations.remove(work.regulationId);
      else
        this.regulations.retryAt(
          work.regulationId,
          retryAt(run.failedAttempts, Date.now(), Math.random()),
        );
    } catch (error) {
      // Not a step failure (the runner records those) but e.g. D1 unreachable while it saves
      // the state: this regulation tries again after the first backoff; the others still run.
      console.error("regulation run stopped", {
        regulationId: work.regulationId,
        error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown",
      });
      this.regulations.retryAt(work.regulationId, retryAt(1, Date.now(), Math.random()));
    }
  }

  /** RegulationHost: the subjects' profiles, folded profiles, ids, emails and history. */
  async resolveSubjects(work: RegulationWork): Promise<ResolvedSubjects> {
    let resolved = subjectsOnly(work.subjectType, work.subjects);
    const canonical = new Set<string>();
    for (const subject of work.subjects) {
      const id = await this.lookup("users", SUBJECT_ID_TYPE[work.subjectType], subject);
      if (id !== undefined) canonical.add(this.store.canonical(id) ?? id);
    }
    const survivors = [...canonical].sort();
    const linked = new Set<string>();
    for (const profileId of survivors) {
      for (const id of this.store.identifiersOf(profileId)) {
        if (id.type === "user_id") resolved = mergeSubjects(resolved, { userIds: [id.value] });
        if (id.type === "anonymous_id")
          resolved = mergeSubjects(resolved, { anonymousIds: [id.value] });
      }
      const facts = await profileStub(this.env, work.spaceId, profileId).subjectFacts();
      resolved = mergeSubjects(resolved, facts);
      for (const link of facts.links) linked.add(this.store.canonical(link) ?? link);
    }
    return mergeSubjects(resolved, {
      profileIds: [...survivors, ...foldedInto(this.ctx.storage.sql, survivors)],
      linkedProfileIds: [...linked],
    });
  }

  saveResolved(regulationId: string, resolved: ResolvedSubjects): void {
    this.regulations.saveResolved(regulationId, resolved);
  }

  eraseIdentityIndex(profileIds: readonly string[]): number {
    return eraseProfiles(this.ctx.storage.sql, profileIds);
  }
}

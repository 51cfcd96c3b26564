// Runs a regulation's steps in plan order (worker/governance/regulations/plan.ts), saving the state
// after every transition. Called from the space's IdentityGraph alarm, which holds the subjects;
// every step is idempotent, so an alarm retried after a crash repeats nothing harmful. A failed
// step is retried on the next alarm, up to the reducer's attempt limit. `forward_to_destinations`
// queues one row per destination and executes the pending ones (destination-deletion-run.ts): a
// vendor still failing retryably keeps the step failed-retryable (its last attempt gives up on
// the row); a vendor refusal fails it for good (FAILED); only unsupported rows end it
// `not_supported` (PARTIAL_SUCCESS).
import { MAX_STEP_ATTEMPTS, isRegulationDone, nextStep, reduceRegulation } from "./status.ts";
import type { RegulationState, StepKind } from "./plan.ts";
import type { SubjectType } from "./model.ts";
import { destinationObject } from "../../delivery/index.ts";
import { deleteSubjectRows } from "./erasure/d1.ts";
import { forwardStepOutcome } from "./deletion-outcome.ts";
import { executeDestinationDeletions } from "./destination-deletion-run.ts";
import { destinationDeletionTargets, queueDestinationDeletions } from "./destination-deletions.ts";
import { rewriteSubjectObjects } from "./erasure/r2.ts";
import { getRegulation, saveRegulationState } from "./store.ts";
import { subjectsOnly, type ResolvedSubjects } from "./subjects.ts";
import { changeSuppression } from "../../gate/index.ts";
import { profileStub } from "../../profiles/index.ts";

/** A regulation's working data, kept by the space's IdentityGraph until the regulation ends. */
export interface RegulationWork {
  regulationId: string;
  spaceId: string;
  subjectType: SubjectType;
  subjects: string[];
  resolved: ResolvedSubjects | null;
}

/** What the runner needs from the IdentityGraph that hosts it. */
export interface RegulationHost {
  resolveSubjects(work: RegulationWork): Promise<ResolvedSubjects>;
  saveResolved(regulationId: string, resolved: ResolvedSubjects): void;
  /** Erases the profiles' identifiers and records from the identity index; returns the count. */
  eraseIdentityIndex(profileIds: readonly string[]): number;
}

type Outcome = { kind: "done"; count: number } | { kind: "not_supported" };

/** A step failure that retrying cannot fix: the regulation ends FAILED at once. */
class PermanentStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentStepError";
  }
}

async function execute(
  env: Env,
  host: RegulationHost,
  work: RegulationWork,
  step: StepKind,
  lastAttempt: boolean,
): Promise<Outcome> {
  const subjects = work.resolved ?? subjectsOnly(work.subjectType, work.subjects);
  const done = (count: number): Outcome => ({ kind: "done", count });
  switch (step) {
    case "suppress":
    case "unsuppress":
      return done(
        await changeSuppression(
          env,
          work.spaceId,
          work.regulationId,
          step,
          work.subjectType,
          work.subjects,
        ),
      );
    case "resolve_profiles": {
      const resolved = await host.resolveSubjects(work);
      host.saveResolved(work.regulationId, resolved);
      work.resolved = resolved;
      return done(resolved.profileIds.length);
    }
    case "rewrite_r2_objects":
      return done(await rewriteSubjectObjects(env, work.spaceId, subjects));
    case "delete_d1_events":
      return done(await deleteSubjectRows(env, work.spaceId, subjects));
    case "delete_profile_storage": {
      const messageIds = subjects.events.map((ref) => ref.slice(ref.indexOf("\n") + 1));
      await forgetInDebuggers(env, subjects.events);
      for (const id of subjects.linkedProfileIds) {
        await profileStub(env, work.spaceId, id).forgetEvents(messageIds);
      }
      for (const id of subjects.profileIds) await profileStub(env, work.spaceId, id).erase();
      // Events waiting at a destination, or in its dead-letter store, hold the person's data too.
      const forget = JSON.stringify({
        messageIds,
        userIds: subjects.userIds,
        anonymousIds: subjects.anonymousIds,
      });
      for (const { destinationId } of await destinationDeletionTargets(env, work.spaceId))
        await destinationObject(env, destinationId).forgetSubject(forget);
      return done(subjects.profileIds.length);
    }
    case "delete_identity_index":
      return done(host.eraseIdentityIndex(subjects.profileIds));
    case "forward_to_destinations": {
      const targets = await destinationDeletionTargets(env, work.spaceId);
      await queueDestinationDeletions(
        env,
        work.spaceId,
        work.regulationId,
        work.subjectType,
        work.subjects,
        targets,
      );
      const statuses = await executeDestinationDeletions(env, work.regulationId, lastAttempt);
      const outcome = forwardStepOutcome(statuses);
      switch (outcome.kind) {
        case "retry":
          throw new Error(`${outcome.pending} destination deletion(s) to retry`);
        case "failed":
          throw new PermanentStepError(`${outcome.failed} destination deletion(s) failed`);
        default:
          return outcome;
      }
    }
  }
}

/** A PII-free description of a failure: the error's class and message, never bound values. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown error";
}

/** How a run ended: the regulation is over (unknown ones count as over), or a step is to be retried. */
export type RegulationRun =
  { ended: true; state: RegulationState | undefined } | { ended: false; failedAttempts: number };

/** Runs the regulation's remaining steps, until they are done or one fails. */
export async function runRegulation(
  env: Env,
  host: RegulationHost,
  work: RegulationWork,
): Promise<RegulationRun> {
  const record = await getRegulation(env, work.spaceId, work.regulationId);
  if (!record) return { ended: true, state: undefined };
  let state = record.state;
  // A step left running by an interrupted alarm is retried: every step is idempotent.
  const interrupted = state.steps.find((s) => s.status === "running");
  if (interrupted) {
    const at = new Date().toISOString();
    state = reduceRegulation(state, {
      type: "failed",
      step: interrupted.kind,
      at,
      error: "interrupted",
      retryable: true,
    });
    await saveRegulationState(env, record, state, {
      kind: interrupted.kind,
      status: "failed",
      error: "interrupted",
    });
  }
  for (let round = 0; round < 2 * state.steps.length + 2 && !isRegulationDone(state); round++) {
    const step = nextStep(state);
    if (!step) break;
    const at = () => new Date().toISOString();
    state = reduceRegulation(state, { type: "started", step: step.kind, at: at() });
    await saveRegulationState(env, record, state, { kind: step.kind, status: "started" });
    try {
      const lastAttempt = step.attempts + 1 >= MAX_STEP_ATTEMPTS;
      const outcome = await execute(env, host, work, step.kind, lastAttempt);
      state =
        outcome.kind === "done"
          ? reduceRegulation(state, {
              type: "succeeded",
              step: step.kind,
              at: at(),
              count: outcome.count,
            })
          : reduceRegulation(state, { type: "not_supported", step: step.kind, at: at() });
      const status = outcome.kind === "done" ? "succeeded" : "not_supported";
      const count = outcome.kind === "done" ? outcome.count : undefined;
      await saveRegulationState(env, record, state, {
        kind: step.kind,
        status,
        ...(count !== undefined && { count }),
      });
    } catch (error) {
      const message = describe(error);
      state = reduceRegulation(state, {
        type: "failed",
        step: step.kind,
        at: at(),
        error: message,
        retryable: !(error instanceof PermanentStepError),
      });
      await saveRegulationState(env, record, state, {
        kind: step.kind,
        status: "failed",
        error: message,
      });
      if (isRegulationDone(state)) return { ended: true, state };
      return {
        ended: false,
        failedAttempts: state.steps.find((s) => s.kind === step.kind)?.attempts ?? 1,
      };
    }
  }
  return { ended: true, state };
}

/** Removes the subject's events from each source's live debugger (refs are `source\nmessageId`). */
async function forgetInDebuggers(env: Env, refs: readonly string[]): Promise<void> {
  const bySource = new Map<string, string[]>();
  for (const ref of refs) {
    const cut = ref.indexOf("\n");
    const source = ref.slice(0, cut);
    bySource.set(source, [...(bySource.get(source) ?? []), ref.slice(cut + 1)]);
  }
  for (const [source, ids] of bySource) {
    await env.SOURCE_DEBUGGER.get(env.SOURCE_DEBUGGER.idFromName(source)).forget(ids);
  }
}

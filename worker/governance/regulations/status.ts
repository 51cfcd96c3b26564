// The regulation status reducer: applies one step event to a regulation's state and derives the
// overall status. Steps run strictly in plan order; a step may be retried after a retryable
// failure, at most MAX_STEP_ATTEMPTS times. An event that does not fit the current state is
// refused and changes nothing.
import { backoffDelaySeconds, MAX_ATTEMPTS } from "../../destinations/index.ts";
import { PrivacyInputError } from "../../gate/index.ts";
import type { RegulationState, RegulationStatus, StepEvent, StepState } from "./plan.ts";

/**
 * After this many attempts a retryable failure counts as permanent, so a regulation always ends.
 * With `stepRetryDelayMs` between attempts this spans more than 4 hours, as delivery does (the
 * same schedule: destinations/retry.ts), so a vendor's deletion API down for an afternoon is
 * retried, not given up on.
 */
export const MAX_STEP_ATTEMPTS = MAX_ATTEMPTS;

/** The wait before retrying a step that failed `attempts` times: delivery's randomized backoff. */
export function stepRetryDelayMs(attempts: number, random: number): number {
  return backoffDelaySeconds(attempts, random) * 1000;
}

const TERMINAL: ReadonlySet<RegulationStatus> = new Set(["FINISHED", "FAILED", "PARTIAL_SUCCESS"]);

function refuse(event: StepEvent, message: string): never {
  throw new PrivacyInputError("invalid_transition", event.step, message);
}

function overallStatus(steps: readonly StepState[]): RegulationStatus {
  const permanent = steps.some((s) => s.status === "failed" && s.attempts >= MAX_STEP_ATTEMPTS);
  if (permanent) return "FAILED";
  if (steps.every((s) => s.status === "pending")) return "INITIALIZED";
  if (steps.every((s) => s.status === "succeeded")) return "FINISHED";
  if (steps.every((s) => s.status === "succeeded" || s.status === "not_supported"))
    return "PARTIAL_SUCCESS";
  return "RUNNING";
}

/** Whether the regulation has ended (no step will run again). */
export function isRegulationDone(state: RegulationState): boolean {
  return TERMINAL.has(state.status);
}

/** The next step the runner should start, or `undefined` when none can start now. */
export function nextStep(state: RegulationState): StepState | undefined {
  if (isRegulationDone(state)) return undefined;
  const step = state.steps.find((s) => s.status !== "succeeded" && s.status !== "not_supported");
  return step && (step.status === "pending" || step.status === "failed") ? step : undefined;
}

/**
 * Applies `event` and returns the new state; `state` is not changed.
 * @throws PrivacyInputError (`invalid_transition`) for a step not in the plan, out of order, in the
 *   wrong state, or after the regulation ended.
 */
export function reduceRegulation(state: RegulationState, event: StepEvent): RegulationState {
  if (Number.isNaN(Date.parse(event.at))) refuse(event, "the event time is not an ISO-8601 time");
  if (isRegulationDone(state)) refuse(event, `the regulation is already ${state.status}`);
  const index = state.steps.findIndex((s) => s.kind === event.step);
  const step = state.steps[index];
  if (!step) refuse(event, "this step is not part of the regulation's plan");
  let next: StepState;
  switch (event.type) {
    case "started": {
      if (step.status !== "pending" && step.status !== "failed")
        refuse(event, `cannot start a ${step.status} step`);
      const blocked = state.steps
        .slice(0, index)
        .some((s) => s.status !== "succeeded" && s.status !== "not_supported");
      if (blocked) refuse(event, "an earlier step has not finished");
      next = {
        kind: step.kind,
        status: "running",
        attempts: step.attempts + 1,
        updatedAt: event.at,
      };
      break;
    }
    case "succeeded":
      if (step.status !== "running") refuse(event, `cannot finish a ${step.status} step`);
      next = { ...step, status: "succeeded", updatedAt: event.at };
      delete next.error;
      if (event.count !== undefined) next.count = event.count;
      break;
    case "failed":
      if (step.status !== "running") refuse(event, `cannot fail a ${step.status} step`);
      next = {
        ...step,
        status: "failed",
        error: event.error,
        // A permanent failure uses up the attempts so the status becomes FAILED.
        attempts: event.retryable ? step.attempts : MAX_STEP_ATTEMPTS,
        updatedAt: event.at,
      };
      break;
    case "not_supported":
      if (step.kind !== "forward_to_destinations")
        refuse(event, "only destination forwarding can be unsupported");
      if (step.status !== "running") refuse(event, `cannot end a ${step.status} step`);
      next = { ...step, status: "not_supported", updatedAt: event.at };
      break;
  }
  const steps = state.steps.map((s, i) => (i === index ? next : s));
  return { status: overallStatus(steps), steps, updatedAt: event.at };
}

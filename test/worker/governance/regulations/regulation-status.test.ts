import { describe, expect, it } from "vitest";
import { PrivacyInputError } from "../../../../worker/gate/privacy-input-error.ts";
import {
  initialRegulationState,
  planSteps,
  type RegulationState,
  type StepEvent,
} from "../../../../worker/governance/regulations/plan.ts";
import {
  MAX_STEP_ATTEMPTS,
  stepRetryDelayMs,
  isRegulationDone,
  nextStep,
  reduceRegulation,
} from "../../../../worker/governance/regulations/status.ts";

const T0 = "2026-06-13T10:00:00.000Z";
const at = (minute: number): string => new Date(Date.parse(T0) + minute * 60_000).toISOString();

function runAll(state: RegulationState, last?: "not_supported"): RegulationState {
  let current = state;
  let minute = 1;
  for (let guard = 0; guard < 20; guard++) {
    const step = nextStep(current);
    if (!step) break;
    current = reduceRegulation(current, { type: "started", step: step.kind, at: at(minute++) });
    const end: StepEvent =
      last === "not_supported" && step.kind === "forward_to_destinations"
        ? { type: "not_supported", step: step.kind, at: at(minute++) }
        : { type: "succeeded", step: step.kind, at: at(minute++), count: 3 };
    current = reduceRegulation(current, end);
  }
  return current;
}

describe("reduceRegulation", () => {
  it("walks a SUPPRESS_WITH_DELETE through RUNNING to FINISHED", () => {
    const initial = initialRegulationState("SUPPRESS_WITH_DELETE", T0);
    const started = reduceRegulation(initial, { type: "started", step: "suppress", at: at(1) });
    expect(started.status).toBe("RUNNING");
    expect(started.steps[0]).toEqual({
      kind: "suppress",
      status: "running",
      attempts: 1,
      updatedAt: at(1),
    });
    expect(initial.steps[0]?.status).toBe("pending");
    const done = runAll(initial);
    expect(done.status).toBe("FINISHED");
    expect(done.steps.map((s) => s.status)).toEqual(
      planSteps("SUPPRESS_WITH_DELETE").map(() => "succeeded"),
    );
    expect(isRegulationDone(done)).toBe(true);
  });

  it("ends PARTIAL_SUCCESS when no destination supports deletion", () => {
    expect(runAll(initialRegulationState("DELETE_ONLY", T0), "not_supported").status).toBe(
      "PARTIAL_SUCCESS",
    );
  });

  it("retries a retryable failure and then succeeds", () => {
    let state = initialRegulationState("SUPPRESS_ONLY", T0);
    state = reduceRegulation(state, { type: "started", step: "suppress", at: at(1) });
    state = reduceRegulation(state, {
      type: "failed",
      step: "suppress",
      at: at(2),
      error: "D1 busy",
      retryable: true,
    });
    expect(state.status).toBe("RUNNING");
    expect(nextStep(state)?.kind).toBe("suppress");
    state = reduceRegulation(state, { type: "started", step: "suppress", at: at(3) });
    expect(state.steps[0]?.attempts).toBe(2);
    state = reduceRegulation(state, { type: "succeeded", step: "suppress", at: at(4) });
    expect(state.status).toBe("FINISHED");
    expect(state.steps[0]?.error).toBeUndefined();
  });

  it("fails the regulation on a permanent failure", () => {
    let state = initialRegulationState("DELETE_INTERNAL", T0);
    state = reduceRegulation(state, { type: "started", step: "resolve_profiles", at: at(1) });
    state = reduceRegulation(state, {
      type: "failed",
      step: "resolve_profiles",
      at: at(2),
      error: "identity index unreachable",
      retryable: false,
    });
    expect(state.status).toBe("FAILED");
    expect(nextStep(state)).toBeUndefined();
  });

  it("retries a failing step over more than 4 hours, with growing randomized waits", () => {
    let shortest = 0;
    let longest = 0;
    for (let attempts = 1; attempts < MAX_STEP_ATTEMPTS; attempts++) {
      shortest += stepRetryDelayMs(attempts, 0);
      longest += stepRetryDelayMs(attempts, 0.999);
    }
    expect(shortest).toBeGreaterThanOrEqual(4 * 60 * 60 * 1000);
    expect(stepRetryDelayMs(1, 0)).toBe(15_000);
    expect(stepRetryDelayMs(2, 0.999)).toBe(60_000);
    expect(longest).toBeGreaterThan(shortest);
  });

  it("fails after MAX_STEP_ATTEMPTS retryable failures", () => {
    let state = initialRegulationState("SUPPRESS_ONLY", T0);
    for (let i = 0; i < MAX_STEP_ATTEMPTS; i++) {
      state = reduceRegulation(state, { type: "started", step: "suppress", at: at(i * 2) });
      state = reduceRegulation(state, {
        type: "failed",
        step: "suppress",
        at: at(i * 2 + 1),
        error: "timeout",
        retryable: true,
      });
    }
    expect(state.status).toBe("FAILED");
  });

  const initial = initialRegulationState("SUPPRESS_WITH_DELETE", T0);
  const running = reduceRegulation(initial, { type: "started", step: "suppress", at: at(1) });
  it.each([
    ["a step out of plan order", initial, { type: "started", step: "delete_d1_events", at: at(1) }],
    ["a step not in the plan", initial, { type: "started", step: "unsuppress", at: at(1) }],
    ["finishing a pending step", initial, { type: "succeeded", step: "suppress", at: at(1) }],
    [
      "failing a pending step",
      initial,
      { type: "failed", step: "suppress", at: at(1), error: "x", retryable: true },
    ],
    ["starting a running step", running, { type: "started", step: "suppress", at: at(2) }],
    [
      "an internal step unsupported",
      running,
      { type: "not_supported", step: "suppress", at: at(2) },
    ],
    ["a bad time", running, { type: "succeeded", step: "suppress", at: "soon" }],
    ["any event after the end", runAll(initial), { type: "started", step: "suppress", at: at(99) }],
  ] as [string, RegulationState, StepEvent][])(
    "refuses %s and changes nothing",
    (_, state, event) => {
      const before = structuredClone(state);
      expect(() => reduceRegulation(state, event)).toThrow(PrivacyInputError);
      expect(state).toEqual(before);
    },
  );
});

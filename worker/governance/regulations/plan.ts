// What each regulation type does, as ordered steps, and how a regulation's status follows from
// its steps' outcomes (Segment's statuses, https://segment.com/docs/privacy/user-deletion-and-suppression/). The runner (Durable Object, queue) only
// performs steps and reports events; every transition rule lives here.
import type { RegulationType } from "./model.ts";

export const STEP_KINDS = [
  "suppress",
  "unsuppress",
  "resolve_profiles",
  "rewrite_r2_objects",
  "delete_d1_events",
  "delete_profile_storage",
  "delete_identity_index",
  "forward_to_destinations",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

// Order matters. Suppression first, so no new event of the subject lands while deletion runs.
// Profiles are resolved while the identity index still knows them (an email subject reaches its
// userIds and anonymousIds through its profile). R2 objects are rewritten (found through their
// token filters, worker/archive/token-filter.ts) before the D1 rows about the subject go
// (`delete_d1_events`, named when events had D1 rows: now the identity audit's). The
// identity index goes last among internal stores so a retry can still find what is left.
const INTERNAL_DELETE: readonly StepKind[] = [
  "resolve_profiles",
  "rewrite_r2_objects",
  "delete_d1_events",
  "delete_profile_storage",
  "delete_identity_index",
];

const PLANS: Readonly<Record<RegulationType, readonly StepKind[]>> = {
  SUPPRESS_ONLY: ["suppress"],
  UNSUPPRESS: ["unsuppress"],
  DELETE_INTERNAL: INTERNAL_DELETE,
  SUPPRESS_WITH_DELETE_INTERNAL: ["suppress", ...INTERNAL_DELETE],
  DELETE_ONLY: [...INTERNAL_DELETE, "forward_to_destinations"],
  SUPPRESS_WITH_DELETE: ["suppress", ...INTERNAL_DELETE, "forward_to_destinations"],
};

/** The ordered steps a regulation type implies. */
export function planSteps(type: RegulationType): readonly StepKind[] {
  return PLANS[type];
}

export const REGULATION_STATUSES = [
  "INITIALIZED",
  "RUNNING",
  "PARTIAL_SUCCESS",
  "FAILED",
  "FINISHED",
] as const;
export type RegulationStatus = (typeof REGULATION_STATUSES)[number];

export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "not_supported";

export interface StepState {
  kind: StepKind;
  status: StepStatus;
  attempts: number;
  /** Objects, rows or destinations the step touched (reported by the runner). */
  count?: number;
  /** PII-free error text of the last failure. */
  error?: string;
  updatedAt?: string;
}

export interface RegulationState {
  status: RegulationStatus;
  steps: StepState[];
  updatedAt: string;
}

export type StepEvent =
  | { type: "started"; step: StepKind; at: string }
  | { type: "succeeded"; step: StepKind; at: string; count?: number }
  | { type: "failed"; step: StepKind; at: string; error: string; retryable: boolean }
  /** Some destinations cannot delete: the step ends without failing internal deletion. */
  | { type: "not_supported"; step: StepKind; at: string };

/** A fresh regulation of `type`: every step pending. */
export function initialRegulationState(type: RegulationType, at: string): RegulationState {
  return {
    status: "INITIALIZED",
    steps: planSteps(type).map((kind) => ({ kind, status: "pending", attempts: 0 })),
    updatedAt: at,
  };
}

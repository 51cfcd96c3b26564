// Pure rules for forwarding a deletion to destinations: what one vendor answer means for the
// destination's row, and what the rows together mean for the `forward_to_destinations` step
// (worker/governance/regulations/status.ts turns a permanent failure into FAILED and a step that is
// only `not_supported` into PARTIAL_SUCCESS).
import type { DeletionSubject, DeliveryResult } from "../../destinations/index.ts";
import type { DeletionRowStatus } from "./destination-deletions.ts";

/**
 * The vendor key for one subject: USER_ID → userId, EMAIL → email. ANONYMOUS_ID maps to nothing:
 * none of the shipped vendors' deletion APIs key a person by Segment's anonymousId (Amplitude
 * takes user_ids / amplitude_ids, Braze external_ids, Mixpanel a profile's distinct_id, Klaviyo an
 * email or phone), so the adapter answers MISSING_IDENTIFIER and the row is `unsupported`.
 */
export function deletionSubject(subjectType: string, subject: string): DeletionSubject {
  if (subjectType === "USER_ID") return { userId: subject };
  if (subjectType === "EMAIL") return { email: subject.toLowerCase() };
  return {};
}

/**
 * One destination's row after an attempt over all its subjects. Any retryable answer (timeout,
 * 429, 5xx) keeps the row pending for the next alarm, unless this is the step's last attempt; a
 * vendor refusal fails it; a vendor that cannot key these subjects makes it `unsupported`.
 */
export function rowStatusAfter(
  results: readonly DeliveryResult[],
  lastAttempt: boolean,
): DeletionRowStatus {
  if (results.some((r) => r.status === "retry")) return lastAttempt ? "failed" : "pending";
  const refused = results.filter((r) => r.status === "failed");
  const unkeyed = refused.filter((r) => r.error?.startsWith("MISSING_IDENTIFIER"));
  if (refused.length > unkeyed.length) return "failed";
  if (results.length > 0 && unkeyed.length === results.length) return "unsupported";
  return "succeeded";
}

export type ForwardStepOutcome =
  | { kind: "done"; count: number }
  | { kind: "not_supported" }
  | { kind: "retry"; pending: number }
  | { kind: "failed"; failed: number };

/** What the rows of a regulation mean for its `forward_to_destinations` step. */
export function forwardStepOutcome(statuses: readonly DeletionRowStatus[]): ForwardStepOutcome {
  const count = (s: DeletionRowStatus) => statuses.filter((x) => x === s).length;
  if (count("pending") > 0) return { kind: "retry", pending: count("pending") };
  if (count("failed") > 0) return { kind: "failed", failed: count("failed") };
  if (count("succeeded") === 0 && count("unsupported") > 0) return { kind: "not_supported" };
  return { kind: "done", count: count("succeeded") };
}

// The pure rules of deletion forwarding: subject keys per subject type, a destination row's status
// after one attempt, and the forward step's outcome from all rows.
import { describe, expect, it } from "vitest";
import type { DeliveryResult } from "../../../../worker/destinations/adapter.ts";
import {
  deletionSubject,
  forwardStepOutcome,
  rowStatusAfter,
} from "../../../../worker/governance/regulations/deletion-outcome.ts";

const ok: DeliveryResult = { status: "delivered", httpStatus: 200 };
const busy: DeliveryResult = { status: "retry", httpStatus: 503, error: "HTTP 503" };
const refused: DeliveryResult = { status: "failed", httpStatus: 400, error: "HTTP 400" };
const unkeyed: DeliveryResult = {
  status: "failed",
  httpStatus: null,
  error: "MISSING_IDENTIFIER: needs userId",
};

describe("deletionSubject", () => {
  it("keys USER_ID by userId, EMAIL by lower-case email, ANONYMOUS_ID by nothing", () => {
    expect(deletionSubject("USER_ID", "U-1")).toEqual({ userId: "U-1" });
    expect(deletionSubject("EMAIL", "A@B.Example")).toEqual({ email: "a@b.example" });
    expect(deletionSubject("ANONYMOUS_ID", "anon")).toEqual({});
  });
});

describe("rowStatusAfter", () => {
  const cases: [string, DeliveryResult[], boolean, string][] = [
    ["all delivered", [ok, ok], false, "succeeded"],
    ["one retryable keeps it pending", [ok, busy], false, "pending"],
    ["retryable on the last attempt fails", [ok, busy], true, "failed"],
    ["a refusal fails", [ok, refused], false, "failed"],
    ["retryable wins over a refusal while attempts remain", [busy, refused], false, "pending"],
    ["no subject the vendor can key", [unkeyed, unkeyed], false, "unsupported"],
    ["some keyed and delivered, some not keyable", [ok, unkeyed], false, "succeeded"],
    ["not keyable and refused", [unkeyed, refused], false, "failed"],
    ["no subjects at all", [], false, "succeeded"],
  ];
  it.each(cases)("%s", (_name, results, last, expected) => {
    expect(rowStatusAfter(results, last)).toBe(expected);
  });
});

describe("forwardStepOutcome", () => {
  it("retries while any row is pending, then fails on a failed row", () => {
    expect(forwardStepOutcome(["succeeded", "pending", "failed"])).toEqual({
      kind: "retry",
      pending: 1,
    });
    expect(forwardStepOutcome(["succeeded", "failed", "unsupported"])).toEqual({
      kind: "failed",
      failed: 1,
    });
  });
  it("is not supported when no destination could delete, done otherwise", () => {
    expect(forwardStepOutcome(["unsupported", "unsupported"])).toEqual({ kind: "not_supported" });
    expect(forwardStepOutcome(["succeeded", "unsupported"])).toEqual({ kind: "done", count: 1 });
    expect(forwardStepOutcome([])).toEqual({ kind: "done", count: 0 });
  });
});

import { describe, expect, it } from "vitest";
import { PrivacyInputError } from "../../../../worker/gate/privacy-input-error.ts";
import {
  MAX_SUBJECTS,
  REGULATION_TYPES,
  parseRegulationRequest,
} from "../../../../worker/governance/regulations/model.ts";
import {
  initialRegulationState,
  planSteps,
} from "../../../../worker/governance/regulations/plan.ts";

function refusal(input: unknown): unknown {
  try {
    parseRegulationRequest(input);
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

describe("parseRegulationRequest", () => {
  it("accepts Segment's body shape and merges duplicate emails after normalization", () => {
    expect(
      parseRegulationRequest({
        regulationType: "SUPPRESS_WITH_DELETE",
        subjectType: "EMAIL",
        subjectIds: ["Peter@Example.com ", "peter@example.com", "jane@example.org"],
      }),
    ).toEqual({
      regulationType: "SUPPRESS_WITH_DELETE",
      subjectType: "EMAIL",
      subjectIds: ["peter@example.com", "jane@example.org"],
    });
  });

  it("keeps ids exactly as sent", () => {
    const request = parseRegulationRequest({
      regulationType: "DELETE_INTERNAL",
      subjectType: "USER_ID",
      subjectIds: [" u 1", "U1"],
    });
    expect(request.subjectIds).toEqual([" u 1", "U1"]);
  });

  it("accepts exactly 5,000 subjects", () => {
    const subjectIds = Array.from({ length: MAX_SUBJECTS }, (_, i) => `anon-${i}`);
    expect(
      parseRegulationRequest({
        regulationType: "SUPPRESS_ONLY",
        subjectType: "ANONYMOUS_ID",
        subjectIds,
      }).subjectIds,
    ).toHaveLength(5000);
  });

  it.each(REGULATION_TYPES.map((t) => [t]))("accepts %s", (regulationType) => {
    expect(
      parseRegulationRequest({ regulationType, subjectType: "USER_ID", subjectIds: ["u1"] })
        .regulationType,
    ).toBe(regulationType);
  });

  const valid = { regulationType: "DELETE_ONLY", subjectType: "USER_ID", subjectIds: ["u1"] };
  it.each([
    ["a non-object body", [valid], "not_an_object", ""],
    ["an unknown field", { ...valid, subjectID: "u1" }, "unknown_field", "subjectID"],
    [
      "an unknown type",
      { ...valid, regulationType: "DELETE_EVERYTHING" },
      "unknown_regulation_type",
      "regulationType",
    ],
    [
      "a lower-case type",
      { ...valid, regulationType: "delete_only" },
      "unknown_regulation_type",
      "regulationType",
    ],
    [
      "Segment's internal type",
      { ...valid, regulationType: "DELETE_ARCHIVE_ONLY" },
      "unsupported_regulation_type",
      "regulationType",
    ],
    [
      "Segment's OBJECT_ID subject type",
      { ...valid, subjectType: "OBJECT_ID" },
      "unknown_subject_type",
      "subjectType",
    ],
    ["no subjects", { ...valid, subjectIds: [] }, "missing_subjects", "subjectIds"],
    ["subjects as a string", { ...valid, subjectIds: "u1" }, "missing_subjects", "subjectIds"],
    [
      "5,001 subjects",
      { ...valid, subjectIds: Array.from({ length: 5001 }, (_, i) => `u${i}`) },
      "too_many_subjects",
      "subjectIds",
    ],
    ["a numeric subject", { ...valid, subjectIds: ["u1", 42] }, "invalid_subject", "subjectIds[1]"],
    ["a blank subject", { ...valid, subjectIds: ["  "] }, "invalid_subject", "subjectIds[0]"],
    [
      "an over-long subject",
      { ...valid, subjectIds: ["u".repeat(501)] },
      "invalid_subject",
      "subjectIds[0]",
    ],
    [
      "an invalid email",
      { ...valid, subjectType: "EMAIL", subjectIds: ["a@b.c", "peter at example.com"] },
      "invalid_email",
      "subjectIds[1]",
    ],
  ])("refuses %s", (_, input, code, field) => {
    const error = refusal(input);
    expect(error).toBeInstanceOf(PrivacyInputError);
    expect(error).toMatchObject({ code, field });
  });

  it("never echoes a subject in its error message", () => {
    const error = refusal({
      ...valid,
      subjectType: "EMAIL",
      subjectIds: ["peter at example.com"],
    }) as Error;
    expect(error.message).not.toContain("peter");
  });
});

describe("planSteps", () => {
  it.each([
    ["SUPPRESS_ONLY", ["suppress"]],
    ["UNSUPPRESS", ["unsuppress"]],
    [
      "DELETE_INTERNAL",
      [
        "resolve_profiles",
        "rewrite_r2_objects",
        "delete_d1_events",
        "delete_profile_storage",
        "delete_identity_index",
      ],
    ],
    [
      "SUPPRESS_WITH_DELETE_INTERNAL",
      [
        "suppress",
        "resolve_profiles",
        "rewrite_r2_objects",
        "delete_d1_events",
        "delete_profile_storage",
        "delete_identity_index",
      ],
    ],
    [
      "DELETE_ONLY",
      [
        "resolve_profiles",
        "rewrite_r2_objects",
        "delete_d1_events",
        "delete_profile_storage",
        "delete_identity_index",
        "forward_to_destinations",
      ],
    ],
    [
      "SUPPRESS_WITH_DELETE",
      [
        "suppress",
        "resolve_profiles",
        "rewrite_r2_objects",
        "delete_d1_events",
        "delete_profile_storage",
        "delete_identity_index",
        "forward_to_destinations",
      ],
    ],
  ] as const)("%s → %j", (type, steps) => {
    expect(planSteps(type)).toEqual(steps);
  });

  it("only the Segment + destinations types forward to destinations", () => {
    const forwarding = REGULATION_TYPES.filter((t) =>
      planSteps(t).includes("forward_to_destinations"),
    );
    expect(forwarding).toEqual(["DELETE_ONLY", "SUPPRESS_WITH_DELETE"]);
  });

  it("starts every step pending", () => {
    const state = initialRegulationState(
      "SUPPRESS_WITH_DELETE_INTERNAL",
      "2026-06-13T10:00:00.000Z",
    );
    expect(state.status).toBe("INITIALIZED");
    expect(state.steps.every((s) => s.status === "pending" && s.attempts === 0)).toBe(true);
  });
});

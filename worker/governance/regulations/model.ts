// The regulation model: Segment's deletion and suppression requests (https://segment.com/docs/privacy/user-deletion-and-suppression/; Public API
// `createWorkspaceRegulationV1Input`: `{regulationType, subjectType, subjectIds}`). Foyer's subject
// types are user id, anonymous id and email; up to 5,000 subjects per request, as Segment allows.
import { PrivacyInputError, isRecord } from "../../gate/index.ts";
import { SUBJECT_TYPES, normalizeSubject, type SubjectType } from "../../message/index.ts";

export const REGULATION_TYPES = [
  "SUPPRESS_ONLY",
  "UNSUPPRESS",
  "DELETE_INTERNAL",
  "SUPPRESS_WITH_DELETE_INTERNAL",
  "DELETE_ONLY",
  "SUPPRESS_WITH_DELETE",
] as const;
export type RegulationType = (typeof REGULATION_TYPES)[number];

export { SUBJECT_TYPES, normalizeSubject, type SubjectType } from "../../message/index.ts";

/** Segment: "up to 5,000 userIds per call". */
export const MAX_SUBJECTS = 5_000;
/** Identifiers longer than this are not ids Foyer ever stored (identity caps values at 500). */
export const MAX_SUBJECT_LENGTH = 500;

export interface RegulationRequest {
  regulationType: RegulationType;
  subjectType: SubjectType;
  /** Distinct subjects; emails trimmed and lower-cased. */
  subjectIds: string[];
}

/**
 * Validates a `POST /v1/regulations` body. Duplicates (after normalization) are merged.
 * @throws PrivacyInputError with the offending field: unknown or unsupported type, unknown subject
 *   type, no subjects, more than 5,000, an empty, non-string, over-long id or an invalid email.
 */
export function parseRegulationRequest(input: unknown): RegulationRequest {
  if (!isRecord(input))
    throw new PrivacyInputError("not_an_object", "", "the body must be a JSON object");
  for (const key of Object.keys(input)) {
    if (!["regulationType", "subjectType", "subjectIds"].includes(key)) {
      throw new PrivacyInputError("unknown_field", key, `unknown field "${key}"`);
    }
  }
  const { regulationType, subjectType, subjectIds } = input;
  if (regulationType === "DELETE_ARCHIVE_ONLY") {
    throw new PrivacyInputError(
      "unsupported_regulation_type",
      "regulationType",
      "DELETE_ARCHIVE_ONLY is internal to Segment and not offered",
    );
  }
  if (
    typeof regulationType !== "string" ||
    !(REGULATION_TYPES as readonly string[]).includes(regulationType)
  ) {
    throw new PrivacyInputError(
      "unknown_regulation_type",
      "regulationType",
      `must be one of ${REGULATION_TYPES.join(", ")}`,
    );
  }
  if (
    typeof subjectType !== "string" ||
    !(SUBJECT_TYPES as readonly string[]).includes(subjectType)
  ) {
    throw new PrivacyInputError(
      "unknown_subject_type",
      "subjectType",
      `must be one of ${SUBJECT_TYPES.join(", ")}`,
    );
  }
  if (!Array.isArray(subjectIds) || subjectIds.length === 0) {
    throw new PrivacyInputError("missing_subjects", "subjectIds", "must be a non-empty array");
  }
  if (subjectIds.length > MAX_SUBJECTS) {
    throw new PrivacyInputError(
      "too_many_subjects",
      "subjectIds",
      `at most ${MAX_SUBJECTS} subjects per request, got ${subjectIds.length}`,
    );
  }
  const type = subjectType as SubjectType;
  const distinct = new Set<string>();
  subjectIds.forEach((raw: unknown, i) => {
    const field = `subjectIds[${i}]`;
    if (typeof raw !== "string" || raw.trim() === "") {
      throw new PrivacyInputError("invalid_subject", field, "must be a non-empty string");
    }
    if (raw.length > MAX_SUBJECT_LENGTH) {
      throw new PrivacyInputError(
        "invalid_subject",
        field,
        `longer than ${MAX_SUBJECT_LENGTH} characters`,
      );
    }
    const subject = normalizeSubject(type, raw);
    if (subject === undefined)
      throw new PrivacyInputError("invalid_email", field, "is not an email address");
    distinct.add(subject);
  });
  return {
    regulationType: regulationType as RegulationType,
    subjectType: type,
    subjectIds: [...distinct],
  };
}

// Recognises the events of a person being deleted, in the form the R2 archive holds
// them: ids as sent, emails raw or as the storage policy's SHA-256 of the normalized email
// (pii-normalize.ts). The subjects come from the regulation plus the `resolve_profiles` step
// (every userId, anonymousId and email of the person's profiles).
import { sha256Hex } from "../../../platform/index.ts";
import type { JsonObject, JsonValue } from "../../../message/index.ts";
import type { EventPredicate } from "./archive-rewrite.ts";

export interface DeletedSubjects {
  userIds: readonly string[];
  anonymousIds: readonly string[];
  emails: readonly string[];
}

/** Bounds the walk over one event (an archived event is at most 32 KB, https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size). */
const MAX_DEPTH = 32;

function containsAny(value: JsonValue, needles: ReadonlySet<string>, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === "string") return needles.has(value.trim().toLowerCase());
  if (Array.isArray(value)) return value.some((item) => containsAny(item, needles, depth + 1));
  if (value !== null && typeof value === "object") {
    return Object.values(value).some((child) => containsAny(child, needles, depth + 1));
  }
  return false;
}

/** Each email as stored events may hold it: trimmed and lower-cased, and its SHA-256. */
export async function subjectEmailForms(emails: readonly string[]): Promise<Set<string>> {
  const forms = new Set<string>();
  for (const email of emails) {
    const normalized = email.trim().toLowerCase();
    if (normalized === "") continue;
    forms.add(normalized);
    forms.add(await sha256Hex(normalized));
  }
  return forms;
}

/**
 * A predicate true for an event whose userId, anonymousId or alias previousId is a subject's, or that holds a
 * subject's email anywhere (raw, any case, or SHA-256 hashed) — emails are matched in every field
 * because the classifier may have found them under any key.
 */
export async function deletedSubjectPredicate(subjects: DeletedSubjects): Promise<EventPredicate> {
  const userIds = new Set(subjects.userIds);
  const anonymousIds = new Set(subjects.anonymousIds);
  const emailForms = await subjectEmailForms(subjects.emails);
  return (event: JsonObject): boolean => {
    if (typeof event.userId === "string" && userIds.has(event.userId)) return true;
    if (typeof event.anonymousId === "string" && anonymousIds.has(event.anonymousId)) return true;
    // An alias's previousId is the person's former id (Segment Spec, alias).
    const previous = event.previousId;
    if (typeof previous === "string" && (userIds.has(previous) || anonymousIds.has(previous)))
      return true;
    return emailForms.size > 0 && containsAny(event, emailForms, 0);
  };
}

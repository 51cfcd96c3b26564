// The subjects of deletion and suppression requests (Segment's regulation subject types,
// https://segment.com/docs/privacy/user-deletion-and-suppression/), as both the edge's suppression
// check and the regulations API read them.
import { normalizeEmail } from "./contact.ts";

export const SUBJECT_TYPES = ["USER_ID", "ANONYMOUS_ID", "EMAIL"] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/**
 * Normalizes one subject: emails by the one contact normalizer (contact.ts), the form identity
 * hashes; ids as sent.
 */
export function normalizeSubject(type: SubjectType, value: string): string | undefined {
  if (type !== "EMAIL") return value;
  if (value.trim().length > 254) return undefined;
  const email = normalizeEmail(value);
  return email.ok ? email.value : undefined;
}

/** How a deletion names one stored event: its source and messageId (a messageId is per source). */
export const eventRef = (sourceId: string, messageId: string): string =>
  `${sourceId}\n${messageId}`;

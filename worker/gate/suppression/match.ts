// Suppression at the edge: a suppressed subject's events are answered 200 and dropped
// (https://segment.com/docs/privacy/user-deletion-and-suppression/: "blocked at the API"), not
// archived, not sent on. The suppression list holds keyed hashes
// `HMAC-SHA256(space key, SUBJECT_TYPE + ":" + normalized value)` (RFC 2104), never the ids or
// emails themselves, so the list is useless to anyone without the space's key.
import { hmacHex, importHmacKey } from "../../platform/index.ts";
import { type NormalizedMessage, normalizeSubject, type SubjectType } from "../../message/index.ts";
import { PrivacyInputError, isRecord } from "../privacy-input-error.ts";

/** RFC 2104 §3: a key shorter than the hash output (32 bytes) weakens HMAC-SHA256. */
export const MIN_SUPPRESSION_KEY_BYTES = 32;

export interface SuppressionSet {
  key: CryptoKey;
  hashes: ReadonlySet<string>;
}

const encoder = new TextEncoder();

/**
 * Imports the space's suppression key for HMAC-SHA256.
 * @throws PrivacyInputError when the secret is shorter than 32 bytes.
 */
export async function importSuppressionKey(secret: string | Uint8Array): Promise<CryptoKey> {
  const bytes = typeof secret === "string" ? encoder.encode(secret) : secret;
  if (bytes.byteLength < MIN_SUPPRESSION_KEY_BYTES) {
    throw new PrivacyInputError(
      "weak_key",
      "suppressionKey",
      `must be at least ${MIN_SUPPRESSION_KEY_BYTES} bytes`,
    );
  }
  return importHmacKey(bytes);
}

/** The keyed hash of one subject; `undefined` when the value cannot be a subject of that type. */
export async function subjectHash(
  key: CryptoKey,
  type: SubjectType,
  value: string,
): Promise<string | undefined> {
  const normalized = normalizeSubject(type, value);
  if (normalized === undefined || normalized === "") return undefined;
  return hmacHex(key, `${type}:${normalized}`);
}

function emailsOf(message: NormalizedMessage): string[] {
  const out: string[] = [];
  const push = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
  };
  push(message.traits?.email);
  const context = message.context;
  if (isRecord(context.traits)) push(context.traits.email);
  if (Array.isArray(context.externalIds)) {
    for (const external of context.externalIds) {
      if (isRecord(external) && external.type === "email") push(external.id);
    }
  }
  return out;
}

/** The subjects a message names: its userId, anonymousId and every email it carries. */
export function subjectsOf(message: NormalizedMessage): { type: SubjectType; value: string }[] {
  const subjects: { type: SubjectType; value: string }[] = [];
  if (message.userId !== undefined) subjects.push({ type: "USER_ID", value: message.userId });
  if (message.anonymousId !== undefined)
    subjects.push({ type: "ANONYMOUS_ID", value: message.anonymousId });
  for (const email of emailsOf(message)) subjects.push({ type: "EMAIL", value: email });
  return subjects;
}

export type SuppressionMatch =
  { suppressed: false } | { suppressed: true; subjectType: SubjectType };

/** Whether any subject the message names is on the suppression list. */
export async function matchesSuppression(
  message: NormalizedMessage,
  set: SuppressionSet,
): Promise<SuppressionMatch> {
  if (set.hashes.size === 0) return { suppressed: false };
  for (const subject of subjectsOf(message)) {
    const hash = await subjectHash(set.key, subject.type, subject.value);
    if (hash !== undefined && set.hashes.has(hash))
      return { suppressed: true, subjectType: subject.type };
  }
  return { suppressed: false };
}

/** The list after a SUPPRESS_* (add) or UNSUPPRESS (remove) regulation; the input is not changed. */
export function applySuppressionChange(
  current: ReadonlySet<string>,
  change: "suppress" | "unsuppress",
  hashes: readonly string[],
): Set<string> {
  const next = new Set(current);
  for (const hash of hashes) {
    if (change === "suppress") next.add(hash);
    else next.delete(hash);
  }
  return next;
}

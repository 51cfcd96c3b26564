// The PII hashes a space stores (the R2 archive, the debugger) are keyed:
// HMAC-SHA256 (RFC 2104) under the space's own secret (`space_privacy.hash_secret`), so someone
// with `events:read` cannot reverse a phone number (about 10^10 values) or match a list of known
// emails by hashing them. Hashes sent to destinations keep each vendor's required form instead
// (Meta, Google: SHA-256 of the normalized value; pii-policy.ts without a key).
import { hmacHex, importHmacKey } from "../../platform/index.ts";
import { valueClass } from "./classifier.ts";
import { normalizeForHash } from "./hash-form.ts";
import type { PiiPolicy } from "./policy-types.ts";

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key of a space's secret (its hex text, as the suppression key is), once per isolate. */
export function storageHashKey(secretHex: string): Promise<CryptoKey> {
  if (secretHex.length < 64) throw new Error("storage hash secret shorter than 32 bytes");
  let key = keys.get(secretHex);
  if (!key) {
    key = importHmacKey(secretHex);
    if (keys.size > 1_000) keys.clear();
    keys.set(secretHex, key);
  }
  return key;
}

/** HMAC-SHA256 of a normalized value, lower-case hex: the stored form of a hashed field. */
export const keyedHex = hmacHex;

/**
 * The stored forms of a deletion request's subjects: the keyed hash of each email, and of each
 * user or anonymous id shaped like an email or phone (the storage policy hashes those ids too),
 * so the erasure finds stored events by their hashed values as well as by the raw ones.
 */
export async function storedSubjectForms(
  key: CryptoKey,
  policy: PiiPolicy,
  subjects: { userIds: string[]; anonymousIds: string[]; emails: string[] },
): Promise<{ userIds: string[]; anonymousIds: string[]; emails: string[] }> {
  const hashed = async (value: string, cls?: "email") => {
    const found = cls ?? valueClass(value.trim());
    if (found !== "email" && found !== "phone") return undefined;
    return keyedHex(key, normalizeForHash(found, value, policy).value);
  };
  const forms = async (values: string[], cls?: "email") =>
    (await Promise.all(values.map((v) => hashed(v, cls)))).filter(
      (v): v is string => v !== undefined,
    );
  return {
    userIds: [...subjects.userIds, ...(await forms(subjects.userIds))],
    anonymousIds: [...subjects.anonymousIds, ...(await forms(subjects.anonymousIds))],
    emails: [...subjects.emails, ...(await forms(subjects.emails, "email"))],
  };
}

// Keyed hashing of PII identifiers. Profiles are matched and stored by
// `HMAC-SHA256(spaceSecret, type + ":" + normalizedValue)` (RFC 2104), so the identity index holds
// no email or phone in clear; the raw value lives only in the profile's traits, where a deletion
// request reaches it. A keyed hash (not a bare SHA-256) stops a dictionary of known emails being
// matched against a leaked index without the space's secret.
import { InputError } from "../errors.ts";
import { hmacHex, importHmacKey } from "../platform/index.ts";
import type { Collection, Identifier } from "./identifiers.ts";
import { isEmail, isPhoneNumber } from "../message/index.ts";
import { normalizeIdentifierValue } from "./normalize-identifier.ts";

/** Identifier types whose values are personal data and are stored only as keyed hashes. */
export const PII_IDENTIFIER_TYPES: ReadonlySet<string> = new Set(["email", "phone"]);
/** A space secret shorter than this gives too small a key for HMAC-SHA256 (RFC 2104 §3: ≥ L = 32 bytes). */
export const MIN_SECRET_BYTES = 32;

/** A space secret that cannot key the identity hashes. */
export class IdentitySecretError extends InputError {
  constructor(message: string) {
    super("invalid_secret", "secret", message);
    this.name = "IdentitySecretError";
  }
}

/** How an identifier's value is stored: `none` (as sent), `hmac-sha256` (keyed hash). */
export type IdentifierEncoding = "none" | "hmac-sha256";

export interface StoredIdentifier extends Identifier {
  encoding: IdentifierEncoding;
}

/**
 * Imports a space secret (raw bytes, or a UTF-8 string) as an HMAC-SHA256 key.
 * @throws IdentitySecretError when the secret is shorter than 32 bytes.
 */
export async function importIdentitySecret(secret: string | Uint8Array): Promise<CryptoKey> {
  // A copy in a plain ArrayBuffer: Web Crypto takes no view over a SharedArrayBuffer.
  const bytes =
    typeof secret === "string" ? new TextEncoder().encode(secret) : new Uint8Array(secret);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new IdentitySecretError(
      `identity secret must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.byteLength}`,
    );
  }
  return importHmacKey(bytes);
}

/** `HMAC-SHA256(key, type + ":" + value)` as 64 lower-case hex digits. */
export async function keyedIdentifierHash(
  key: CryptoKey,
  type: string,
  value: string,
): Promise<string> {
  return hmacHex(key, `${type}:${value}`);
}

/** Id types a client chooses freely: one shaped like an email or a phone is personal data. */
const FREE_ID_TYPES: ReadonlySet<string> = new Set(["user_id", "anonymous_id"]);

/**
 * A userId or anonymousId that is an email or phone number: stored as a keyed hash like an email
 * identifier, so the index and the identity audit never hold it in clear.
 */
export function isContactShapedId(id: Pick<Identifier, "type" | "value">): boolean {
  if (!FREE_ID_TYPES.has(id.type)) return false;
  const value = id.value.trim();
  return isEmail(value) || isPhoneNumber(value);
}

/**
 * Turns extracted identifiers into the form they are matched and stored in: email and phone as
 * keyed hashes; `wifi_mac` already arrives as the agent's HMAC of the MAC, so it is not hashed
 * again — it stays in its own `wifi_mac:` namespace (see `identifierKey`), which keeps a MAC
 * hash from ever matching another type's value. Other ids are stored as sent.
 */
export async function hashIdentifiers(
  key: CryptoKey,
  identifiers: readonly Identifier[],
): Promise<StoredIdentifier[]> {
  return Promise.all(
    identifiers.map(async (id): Promise<StoredIdentifier> => {
      if (PII_IDENTIFIER_TYPES.has(id.type) || isContactShapedId(id)) {
        return {
          ...id,
          value: await keyedIdentifierHash(key, id.type, id.value),
          encoding: "hmac-sha256",
        };
      }
      return { ...id, encoding: id.type === "wifi_mac" ? "hmac-sha256" : "none" };
    }),
  );
}

/** The index key of an identifier: `collection/type:value`, unique across types and collections. */
export function identifierKey(id: Pick<Identifier, "type" | "value" | "collection">): string {
  return `${id.collection}/${id.type}:${id.value}`;
}

/**
 * The stored identifier for a lookup such as the Profile API's `email:Jane@Example.com`: the value
 * is normalized and, for PII types, hashed exactly as at ingestion. `undefined` when the value
 * cannot be an identifier of that type.
 */
export async function storedIdentifierFor(
  key: CryptoKey,
  collection: Collection,
  type: string,
  raw: string,
): Promise<StoredIdentifier | undefined> {
  const normalized = normalizeIdentifierValue(type, raw);
  if (!normalized.ok) return undefined;
  const [stored] = await hashIdentifiers(key, [
    { type, value: normalized.value, strength: "strong", collection },
  ]);
  return stored;
}

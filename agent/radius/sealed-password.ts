// CHAP needs the clear-text password at the server (RFC 2865 §2.2), but the SQLite file must not
// hold usable passwords in clear. Portal one-time passwords are therefore sealed with AES-256-GCM
// under a key derived (HKDF, RFC 5869) from the agent's venue key, which lives in the config file
// or its environment, never in the SQLite file: a stolen or backed-up database alone opens nothing.
// The sealed copy exists only until the credential is used or expires (credentials.ts wipes it).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 1 + IV_LENGTH + TAG_LENGTH;
/** Domain separation: the venue key also keys the MAC hashes (mac/hash.ts). */
const HKDF_SALT = "foyer/radius/credential-sealing";
const HKDF_INFO = "aes-256-gcm v1";

/** The 32-byte sealing key: HKDF-SHA256(secret, salt, info). */
export function deriveSealingKey(secret: string): Buffer {
  if (secret.length === 0) throw new Error("deriveSealingKey: the secret must not be empty");
  return Buffer.from(hkdfSync("sha256", secret, HKDF_SALT, HKDF_INFO, 32));
}

/**
 * Seals `password` for the credential `username` (bound as associated data, so a sealed value
 * copied to another row does not open). Layout: version (1) || IV (12) || GCM tag (16) || ciphertext.
 */
export function sealPassword(key: Buffer, username: string, password: string): Buffer {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(username, "utf8"));
  const body = Buffer.concat([cipher.update(password, "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]);
}

/** The password, or null when `sealed` is malformed, tampered with, or sealed under another key. */
export function openSealedPassword(key: Buffer, username: string, sealed: Buffer): string | null {
  if (sealed.length < HEADER_LENGTH || sealed[0] !== VERSION) return null;
  const iv = sealed.subarray(1, 1 + IV_LENGTH);
  const tag = sealed.subarray(1 + IV_LENGTH, HEADER_LENGTH);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(Buffer.from(username, "utf8"));
    decipher.setAuthTag(tag);
    const clear = Buffer.concat([
      decipher.update(sealed.subarray(HEADER_LENGTH)),
      decipher.final(),
    ]);
    return clear.toString("utf8");
  } catch {
    return null;
  }
}

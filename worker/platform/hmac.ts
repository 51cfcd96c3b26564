// Hex and HMAC-SHA256 on Web Crypto, runtime-neutral (Node and workerd): the keyed hashes of
// identity, suppression and stored PII. digest.ts adds what only workerd has.

const encoder = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const byte of view) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** An HMAC-SHA256 signing key from raw bytes, or a string's UTF-8 bytes (RFC 2104). */
export function importHmacKey(secret: string | Uint8Array): Promise<CryptoKey> {
  const bytes = typeof secret === "string" ? encoder.encode(secret) : new Uint8Array(secret);
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** HMAC-SHA256 of a UTF-8 string under `key`, lower-case hex. */
export async function hmacHex(key: CryptoKey, value: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", key, encoder.encode(value)));
}

// A Bloom filter of the identifying tokens of an archive object's events, kept in the object's
// index row (archive_objects.tokens) so that nothing in D1 is written per event (issue 14) and
// yet a deletion request, an event's lineage or a per-user listing reads only the objects that
// may hold what it looks for. A filter never answers "absent" for a token it holds; it answers
// "present" for an absent one with a probability of about 1% (10 bits and 7 probes per token,
// https://en.wikipedia.org/wiki/Bloom_filter#Probability_of_false_positives), and the reader
// confirms every hit on the object's events themselves. Pure.

/** The tokens of one event: what regulations, lineage and the event list look objects up by. */
export function eventTokens(event: Readonly<Record<string, unknown>>, out: Set<string>): void {
  for (const field of ["messageId", "userId", "anonymousId", "previousId"] as const) {
    const value = event[field];
    if (typeof value === "string" && value !== "") out.add(value);
  }
  collectEmailForms(event, out, 0);
}

/** Bounds the walk over one event, as the erasure predicate's walk is bounded. */
const MAX_DEPTH = 32;
const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Every string in the event that could be an email in a stored form: raw (holds "@") or hashed
 * (64 lower-case hex digits: SHA-256 or the space's keyed hash), trimmed and lower-cased as the
 * erasure predicate compares them (worker/governance/regulations/erasure/deleted-subject.ts).
 */
function collectEmailForms(value: unknown, out: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (typeof value === "string") {
    if (value.length > 320) return;
    const form = value.trim().toLowerCase();
    if (form.includes("@") || HEX_64.test(form)) out.add(form);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectEmailForms(item, out, depth + 1);
    return;
  }
  if (value !== null && typeof value === "object")
    for (const child of Object.values(value)) collectEmailForms(child, out, depth + 1);
}

const BITS_PER_TOKEN = 10;
const PROBES = 7;
/** Length of a filter in bits: never under 64, a whole number of bytes. */
function filterBits(tokens: number): number {
  return Math.max(64, Math.ceil((tokens * BITS_PER_TOKEN) / 8) * 8);
}

/** Two independent 32-bit FNV-1a hashes of a token (double hashing gives the probes). */
function hashes(token: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // An even step would probe only half the positions of a power-of-two length: keep it odd.
  return [a >>> 0, (b >>> 0) | 1];
}

function probes(token: string, bits: number): number[] {
  const [a, b] = hashes(token);
  const out: number[] = [];
  for (let i = 0; i < PROBES; i++) out.push(((a + Math.imul(i, b)) >>> 0) % bits);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The filter of `tokens`, as base64 text for the index row. */
export function buildTokenFilter(tokens: Iterable<string>): string {
  const list = [...tokens];
  const bits = filterBits(list.length);
  const bytes = new Uint8Array(bits / 8);
  for (const token of list)
    for (const bit of probes(token, bits)) bytes[bit >>> 3]! |= 1 << (bit & 7);
  return toBase64(bytes);
}

/** A filter read back from its text; `null` text (rows written before filters) holds anything. */
export class TokenFilter {
  private readonly bytes: Uint8Array | null;

  constructor(text: string | null) {
    if (text === null) {
      this.bytes = null;
      return;
    }
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    this.bytes = bytes.length === 0 ? null : bytes;
  }

  /** False only when no event of the object has `token`. */
  mayHold(token: string): boolean {
    if (this.bytes === null) return true;
    const bits = this.bytes.length * 8;
    return probes(token, bits).every((bit) => (this.bytes![bit >>> 3]! & (1 << (bit & 7))) !== 0);
  }

  mayHoldAny(tokens: Iterable<string>): boolean {
    for (const token of tokens) if (this.mayHold(token)) return true;
    return false;
  }
}

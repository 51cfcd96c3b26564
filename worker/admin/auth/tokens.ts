// Admin tokens: `fyat_<id>_<secret>`, shown once at issue. Storage keeps only the SHA-256 of the
// whole token (like write keys, worker/platform/schema.ts), the role, the grants, the space and the
// expiry. The `fyat_` prefix lets secret scanners recognise a leaked token; the id finds the
// record without a scan; the secret carries 40 × log2(62) ≈ 238 bits. Comparison is on digests
// with `crypto.subtle.timingSafeEqual`, so timing reveals neither length nor content.
import { randomToken, sha256Hex } from "../../platform/index.ts";
import { PrivacyInputError } from "../../gate/index.ts";
import { GRANTS, ROLES, type Grant, type Role } from "./roles.ts";

/** Days a space admin token lives when its request names no `ttlDays`. */
export const DEFAULT_ADMIN_TOKEN_TTL_DAYS = 90;

export const TOKEN_PREFIX = "fyat_";
const TOKEN_FORMAT = /^fyat_([A-Za-z0-9]{16})_([A-Za-z0-9]{40})$/;

export interface StoredAdminToken {
  id: string;
  spaceId: string;
  role: Role;
  grants: Grant[];
  /** SHA-256 hex of the whole token. */
  hash: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
}

export interface TokenRequest {
  role: Role;
  grants: Grant[];
  /** Lifetime in days, 1–365; absent means no expiry. */
  ttlDays?: number;
}

/** Validates a token-issue request body. */
export function parseTokenRequest(input: unknown): TokenRequest {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new PrivacyInputError("not_an_object", "", "the body must be a JSON object");
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!["role", "grants", "ttlDays"].includes(key))
      throw new PrivacyInputError("unknown_field", key, `unknown field "${key}"`);
  }
  if (!(ROLES as readonly unknown[]).includes(body.role)) {
    throw new PrivacyInputError("invalid_role", "role", `must be one of ${ROLES.join(", ")}`);
  }
  const grants = body.grants ?? [];
  if (!Array.isArray(grants) || !grants.every((g) => (GRANTS as readonly unknown[]).includes(g))) {
    throw new PrivacyInputError(
      "invalid_grant",
      "grants",
      `must be a list of ${GRANTS.join(", ")}`,
    );
  }
  const request: TokenRequest = {
    role: body.role as Role,
    grants: [...new Set(grants as Grant[])],
  };
  if (body.ttlDays !== undefined) {
    if (
      !Number.isInteger(body.ttlDays) ||
      (body.ttlDays as number) < 1 ||
      (body.ttlDays as number) > 365
    ) {
      throw new PrivacyInputError(
        "invalid_ttl",
        "ttlDays",
        "must be a whole number of days from 1 to 365",
      );
    }
    request.ttlDays = body.ttlDays as number;
  }
  return request;
}

/** Issues a token: the clear token (to show once) and the record to store. */
export async function issueAdminToken(
  spaceId: string,
  request: TokenRequest,
  now: Date,
): Promise<{ token: string; record: StoredAdminToken }> {
  const id = randomToken(16);
  const token = `${TOKEN_PREFIX}${id}_${randomToken(40)}`;
  const record: StoredAdminToken = {
    id,
    spaceId,
    role: request.role,
    grants: request.grants,
    hash: await sha256Hex(token),
    createdAt: now.toISOString(),
  };
  // Every space token expires: 90 days unless the request says otherwise (README "Security").
  const ttlDays = request.ttlDays ?? DEFAULT_ADMIN_TOKEN_TTL_DAYS;
  record.expiresAt = new Date(now.getTime() + ttlDays * 86_400_000).toISOString();
  return { token, record };
}

/** The record id inside a presented token, or `undefined` when the token is malformed. */
export function tokenId(presented: string): string | undefined {
  return TOKEN_FORMAT.exec(presented)?.[1];
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export type TokenCheck =
  | { ok: true; role: Role; grants: Grant[] }
  | {
      ok: false;
      code: "malformed_token" | "invalid_token" | "expired_token" | "revoked_token" | "wrong_space";
    };

/**
 * Checks a presented token against the record found by its id (or `undefined` if none). The
 * digest comparison runs even without a record, so an unknown id costs the same as a wrong secret.
 */
export async function verifyAdminToken(
  presented: string,
  record: StoredAdminToken | undefined,
  context: { now: Date; spaceId: string },
): Promise<TokenCheck> {
  const id = tokenId(presented);
  if (id === undefined) return { ok: false, code: "malformed_token" };
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(presented));
  const expected =
    record && /^[0-9a-f]{64}$/.test(record.hash) ? hexBytes(record.hash) : new Uint8Array(32);
  const equal = crypto.subtle.timingSafeEqual(digest, expected);
  if (!record || record.id !== id || !equal) return { ok: false, code: "invalid_token" };
  if (record.revokedAt !== undefined) return { ok: false, code: "revoked_token" };
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= context.now.getTime()) {
    return { ok: false, code: "expired_token" };
  }
  if (record.spaceId !== context.spaceId) return { ok: false, code: "wrong_space" };
  return { ok: true, role: record.role, grants: record.grants };
}

// Identifier extraction: which `type:value` pairs an event carries, following Segment's default
// identifiers (https://segment.com/docs/unify/identity-resolution/externalids/) plus Foyer's
// `phone` and the venue agent's `wifi_mac`.
import type { JsonObject, JsonValue, NormalizedMessage } from "../message/index.ts";
import { normalizeIdentifierValue, normalizeMacHash } from "./normalize-identifier.ts";
import type { RejectReason } from "./normalize-identifier.ts";
import { IDENTIFIER_TYPE_PATTERN, isBlockedValue } from "./rules.ts";
import type { IdentityRules } from "./rules.ts";

export type Collection = "users" | "accounts";
/** Weak identifiers (randomized MACs) may join a profile but never merge two known profiles. */
export type IdentifierStrength = "strong" | "weak";

export interface Identifier {
  type: string;
  /** Normalized value; PII types become keyed hashes in `hashing.ts` before matching. */
  value: string;
  strength: IdentifierStrength;
  collection: Collection;
}

/** A value that did not become an identifier. No value is kept: it may be PII. */
export interface RejectedIdentifier {
  type: string;
  field: string;
  reason: RejectReason;
}

export interface ExtractedIdentity {
  identifiers: Identifier[];
  rejected: RejectedIdentifier[];
  /** A `group` call links the user profile (users identifiers) to the account (group_id). */
  linksUserToAccount: boolean;
}

function child(obj: JsonValue | undefined, key: string): JsonValue | undefined {
  return typeof obj === "object" && obj !== null && !Array.isArray(obj) ? obj[key] : undefined;
}

/** Segment's device identifiers: `<android|ios>.id`, `.idfa` (only with ad tracking on), `.push_token`. */
function deviceCandidates(context: JsonObject): [string, string, JsonValue | undefined][] {
  const device = context.device;
  const os = child(device, "type");
  if (os !== "android" && os !== "ios") return [];
  const out: [string, string, JsonValue | undefined][] = [
    [`${os}.id`, "context.device.id", child(device, "id")],
    [`${os}.push_token`, "context.device.token", child(device, "token")],
  ];
  if (child(device, "adTrackingEnabled") === true)
    out.push([`${os}.idfa`, "context.device.advertisingId", child(device, "advertisingId")]);
  return out;
}

/**
 * Extracts the identifiers of one event, normalized, with blocked and malformed values removed
 * (and listed in `rejected`). `properties.email` is not read: Segment's current identifier table
 * reads only `traits.email` and `context.traits.email` (an older page also listed properties).
 * `alias` types `previousId` as `anonymous_id` — it may have been a userId, but a profile may hold
 * one `user_id`, so linking it as a user id could only ever be refused by the limit.
 */
export function extractIdentifiers(
  msg: NormalizedMessage,
  rules: IdentityRules,
): ExtractedIdentity {
  const identifiers: Identifier[] = [];
  const rejected: RejectedIdentifier[] = [];
  const seen = new Set<string>();
  const ctx = msg.context;
  const macHashes = new Set<string>();
  for (const ext of Array.isArray(ctx.externalIds) ? ctx.externalIds : []) {
    const type = child(ext, "type");
    if (typeof type === "string" && type.trim().toLowerCase() === "wifi_mac") {
      const mac = normalizeMacHash(child(ext, "id"));
      if (mac.ok) macHashes.add(mac.value);
    }
  }

  const add = (
    type: string,
    field: string,
    raw: JsonValue | undefined,
    collection: Collection,
    strength: IdentifierStrength = "strong",
  ): void => {
    if (raw === undefined || raw === null) return;
    const normalized = normalizeIdentifierValue(type, raw);
    if (!normalized.ok) return void rejected.push({ type, field, reason: normalized.reason });
    if (isBlockedValue(rules, normalized.value))
      return void rejected.push({ type, field, reason: "blocked" });
    // The agent's anonymousId is the MAC hash itself: one weak identity, not a strong anonymous_id.
    if (type === "anonymous_id" && macHashes.has(normalized.value.toLowerCase())) {
      return void rejected.push({ type, field, reason: "duplicate_of_wifi_mac" });
    }
    const key = `${collection}|${type}:${normalized.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    identifiers.push({ type, value: normalized.value, strength, collection });
  };

  add("user_id", "userId", msg.userId, "users");
  add("anonymous_id", "anonymousId", msg.anonymousId, "users");
  if (msg.type === "alias") add("anonymous_id", "previousId", msg.previousId, "users");
  if (msg.type === "group") add("group_id", "groupId", msg.groupId, "accounts");
  // Group traits describe the account, so their email/phone are not the user's.
  if (msg.type !== "group") {
    add("email", "traits.email", child(msg.traits, "email"), "users");
    add("phone", "traits.phone", child(msg.traits, "phone"), "users");
  }
  add("email", "context.traits.email", child(ctx.traits, "email"), "users");
  add("phone", "context.traits.phone", child(ctx.traits, "phone"), "users");
  for (const [type, field, raw] of deviceCandidates(ctx)) add(type, field, raw, "users");
  const ga =
    child(child(ctx.integrations, "Google Analytics"), "clientId") ??
    child(child(msg.integrations, "Google Analytics"), "clientId");
  add("ga_client_id", "integrations.Google Analytics.clientId", ga, "users");

  const externalIds = Array.isArray(ctx.externalIds) ? ctx.externalIds : [];
  externalIds.forEach((ext, index) => {
    const field = `context.externalIds[${index}]`;
    const rawType = child(ext, "type");
    const type = typeof rawType === "string" ? rawType.trim().toLowerCase() : "";
    const collection = child(ext, "collection") ?? "users";
    if (
      !IDENTIFIER_TYPE_PATTERN.test(type) ||
      (collection !== "users" && collection !== "accounts")
    ) {
      return void rejected.push({ type: type || "unknown", field, reason: "invalid" });
    }
    const weak = type === "wifi_mac" && child(ext, "randomized") === true;
    add(type, field, child(ext, "id"), collection, weak ? "weak" : "strong");
  });

  const hasUsers = identifiers.some((id) => id.collection === "users");
  const hasAccounts = identifiers.some((id) => id.collection === "accounts");
  return {
    identifiers,
    rejected,
    linksUserToAccount: msg.type === "group" && hasUsers && hasAccounts,
  };
}

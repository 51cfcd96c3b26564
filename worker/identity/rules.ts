// Identity resolution rules of one space, with Twilio Segment's defaults (Unify "Identity
// Resolution settings", https://segment.com/docs/unify/identity-resolution/identity-resolution-settings/,
// and "Product limits", https://segment.com/docs/unify/product-limits/). Pure and runtime-free:
// the Durable Objects hold the settings and call these functions.
import { ownValue, type UserPattern } from "../message/index.ts";

/** How far back a limit counts values: Segment documents Ever, Weekly, Monthly and Annually. */
export const LIMIT_PERIODS = ["ever", "weekly", "monthly", "annually"] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

const DAY_MS = 86_400_000;
/** Fixed windows (not calendar months) so a decision depends only on the event's timestamp. */
export const PERIOD_MS: Readonly<Record<LimitPeriod, number>> = {
  ever: Number.POSITIVE_INFINITY,
  weekly: 7 * DAY_MS,
  monthly: 30 * DAY_MS,
  annually: 365 * DAY_MS,
};

export interface IdentifierLimit {
  /** Most distinct values of one identifier type a profile may hold within `period`. */
  count: number;
  period: LimitPeriod;
}

/** A space's identity settings after validation (`parseIdentitySettings`). */
export interface IdentityRules {
  /** Identifier types from highest to lowest priority; unlisted types follow alphabetically. */
  priority: readonly string[];
  limits: Readonly<Record<string, IdentifierLimit>>;
  defaultLimit: IdentifierLimit;
  /** Exact blocked values, compared trimmed and case-insensitively. Defaults always included. */
  blockedValues: ReadonlySet<string>;
  /** Run on RE2's linear-time engine (worker/message/user-pattern.ts): values are attacker-chosen. */
  blockedPatterns: readonly UserPattern[];
  /** Segment: "100 merges per profile" — after that, no more merges; events still resolve. */
  maxMergesPerProfile: number;
  /** Segment: "1,000 identity mappings per profile". */
  maxIdentifiersPerProfile: number;
}

/** Segment's default priority: `user_id` 1, `email` 2, then every other type alphabetically. */
export const DEFAULT_PRIORITY: readonly string[] = ["user_id", "email"];
/** Segment's default limits: `user_id` 1 ever, every other type 5 ever. */
export const DEFAULT_LIMITS: Readonly<Record<string, IdentifierLimit>> = {
  user_id: { count: 1, period: "ever" },
};
export const DEFAULT_LIMIT: IdentifierLimit = { count: 5, period: "ever" };
/**
 * Segment's suggested blocked values (`-1`, `null`, `anonymous`, the `^[0-]*$` pattern) plus
 * `undefined` (a JavaScript client serializing a missing id, a value PostHog also refuses) and
 * the empty string (which the pattern matches as well).
 */
export const DEFAULT_BLOCKED_VALUES: readonly string[] = [
  "-1",
  "null",
  "undefined",
  "anonymous",
  "",
];
export const DEFAULT_BLOCKED_PATTERNS: readonly string[] = ["^[0-]*$"];
export const DEFAULT_MAX_MERGES_PER_PROFILE = 100;
export const DEFAULT_MAX_IDENTIFIERS_PER_PROFILE = 1000;

/** Identifier types are lower-case (Segment: "externalIDs must be lower-case"), e.g. `ios.idfa`. */
export const IDENTIFIER_TYPE_PATTERN = /^[a-z][a-z0-9_.]{0,63}$/;

/** Whether `value` is blocked for every identifier type: such a value is never promoted to an identifier. */
export function isBlockedValue(rules: IdentityRules, value: string): boolean {
  const trimmed = value.trim();
  if (rules.blockedValues.has(trimmed.toLowerCase())) return true;
  return rules.blockedPatterns.some((pattern) => pattern.test(trimmed));
}

/** The limit that applies to identifier `type` (its own, or the space default). */
export function limitFor(rules: IdentityRules, type: string): IdentifierLimit {
  return ownValue(rules.limits, type) ?? rules.defaultLimit;
}

/**
 * Orders identifier types from highest to lowest priority: configured order first, then the
 * remaining types alphabetically (Segment re-sorts unlisted types alphabetically from rank 3).
 */
export function compareTypePriority(rules: IdentityRules, a: string, b: string): number {
  const rankA = rules.priority.indexOf(a);
  const rankB = rules.priority.indexOf(b);
  if (rankA !== -1 || rankB !== -1) {
    if (rankA === -1) return 1;
    if (rankB === -1) return -1;
    return rankA - rankB;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

// Validation of a space's identity settings (the JSON an admin stores) into `IdentityRules`.
// Every failure names the exact setting path, so the admin API can return it as a 400.
import { InputError } from "../errors.ts";
import {
  DEFAULT_BLOCKED_PATTERNS,
  DEFAULT_BLOCKED_VALUES,
  DEFAULT_LIMIT,
  DEFAULT_LIMITS,
  DEFAULT_MAX_IDENTIFIERS_PER_PROFILE,
  DEFAULT_MAX_MERGES_PER_PROFILE,
  DEFAULT_PRIORITY,
  IDENTIFIER_TYPE_PATTERN,
  LIMIT_PERIODS,
} from "./rules.ts";
import type { IdentifierLimit, IdentityRules, LimitPeriod } from "./rules.ts";
import { compileUserPattern, type UserPattern } from "../message/index.ts";

/** A setting that cannot be used; `path` is the dotted location of the offending value. */
export class IdentitySettingsError extends InputError {
  readonly path: string;
  constructor(path: string, message: string) {
    super("invalid_settings", path, `${path}: ${message}`);
    this.name = "IdentitySettingsError";
    this.path = path;
  }
}

const SETTING_KEYS = [
  "priority",
  "limits",
  "defaultLimit",
  "blocked",
  "maxMergesPerProfile",
  "maxIdentifiersPerProfile",
];
const MAX_BLOCKED_VALUES = 1000;
const MAX_BLOCKED_VALUE_LENGTH = 256;
const MAX_PATTERNS = 100;
/** Short patterns keep a hostile regex from costing much per identifier. */
const MAX_PATTERN_LENGTH = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function assertKnownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new IdentitySettingsError(path ? `${path}.${key}` : key, "unknown setting");
  }
}

function assertInteger(value: unknown, min: number, max: number, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new IdentitySettingsError(
      path,
      `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function assertType(value: unknown, path: string): string {
  if (typeof value !== "string" || !IDENTIFIER_TYPE_PATTERN.test(value)) {
    throw new IdentitySettingsError(
      path,
      `must be a lower-case identifier type matching ${String(IDENTIFIER_TYPE_PATTERN)}`,
    );
  }
  return value;
}

function assertLimit(value: unknown, path: string): IdentifierLimit {
  if (!isRecord(value)) throw new IdentitySettingsError(path, "must be an object {count, period}");
  assertKnownKeys(value, ["count", "period"], path);
  const count = assertInteger(value.count, 1, DEFAULT_MAX_IDENTIFIERS_PER_PROFILE, `${path}.count`);
  const period = value.period ?? "ever";
  if (typeof period !== "string" || !(LIMIT_PERIODS as readonly string[]).includes(period)) {
    throw new IdentitySettingsError(`${path}.period`, `must be one of ${LIMIT_PERIODS.join(", ")}`);
  }
  return { count, period: period as LimitPeriod };
}

function assertStringArray(
  value: unknown,
  maxItems: number,
  maxLength: number,
  path: string,
): string[] {
  if (!Array.isArray(value)) throw new IdentitySettingsError(path, "must be an array of strings");
  if (value.length > maxItems)
    throw new IdentitySettingsError(path, `must have at most ${maxItems} entries`);
  return value.map((item, index) => {
    if (typeof item !== "string" || item.length > maxLength) {
      throw new IdentitySettingsError(
        `${path}[${index}]`,
        `must be a string of at most ${maxLength} characters`,
      );
    }
    return item;
  });
}

function parsePriority(value: unknown): string[] {
  if (value === undefined) return [...DEFAULT_PRIORITY];
  if (!Array.isArray(value))
    throw new IdentitySettingsError("priority", "must be an array of identifier types");
  const seen = new Set<string>();
  return value.map((item, index) => {
    const type = assertType(item, `priority[${index}]`);
    if (seen.has(type))
      throw new IdentitySettingsError(`priority[${index}]`, `duplicate type "${type}"`);
    seen.add(type);
    return type;
  });
}

function parseLimits(value: unknown): Record<string, IdentifierLimit> {
  const limits: Record<string, IdentifierLimit> = { ...DEFAULT_LIMITS };
  if (value === undefined) return limits;
  if (!isRecord(value))
    throw new IdentitySettingsError("limits", "must be an object keyed by identifier type");
  for (const [type, limit] of Object.entries(value)) {
    limits[assertType(type, `limits.${type}`)] = assertLimit(limit, `limits.${type}`);
  }
  return limits;
}

function parsePatterns(value: unknown): UserPattern[] {
  const sources = [...DEFAULT_BLOCKED_PATTERNS];
  if (value !== undefined)
    sources.push(...assertStringArray(value, MAX_PATTERNS, MAX_PATTERN_LENGTH, "blocked.patterns"));
  return sources.map((source, index) => {
    try {
      return compileUserPattern(source);
    } catch (cause) {
      const at = index - DEFAULT_BLOCKED_PATTERNS.length;
      throw new IdentitySettingsError(
        `blocked.patterns[${at}]`,
        `not a linear-time (RE2) regular expression: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
  });
}

/**
 * Validates a space's identity settings and merges them over Segment's defaults. Configured
 * blocked values and patterns are added to the defaults, never replace them.
 * @throws IdentitySettingsError naming the first invalid setting.
 */
export function parseIdentitySettings(input: unknown): IdentityRules {
  if (!isRecord(input)) throw new IdentitySettingsError("$", "settings must be a JSON object");
  assertKnownKeys(input, SETTING_KEYS, "");
  const blocked = input.blocked ?? {};
  if (!isRecord(blocked))
    throw new IdentitySettingsError("blocked", "must be an object {values, patterns}");
  assertKnownKeys(blocked, ["values", "patterns"], "blocked");
  const values =
    blocked.values === undefined
      ? []
      : assertStringArray(
          blocked.values,
          MAX_BLOCKED_VALUES,
          MAX_BLOCKED_VALUE_LENGTH,
          "blocked.values",
        );
  return {
    priority: parsePriority(input.priority),
    limits: parseLimits(input.limits),
    defaultLimit:
      input.defaultLimit === undefined
        ? DEFAULT_LIMIT
        : assertLimit(input.defaultLimit, "defaultLimit"),
    blockedValues: new Set(
      [...DEFAULT_BLOCKED_VALUES, ...values].map((v) => v.trim().toLowerCase()),
    ),
    blockedPatterns: parsePatterns(blocked.patterns),
    maxMergesPerProfile:
      input.maxMergesPerProfile === undefined
        ? DEFAULT_MAX_MERGES_PER_PROFILE
        : assertInteger(input.maxMergesPerProfile, 0, 10_000, "maxMergesPerProfile"),
    maxIdentifiersPerProfile:
      input.maxIdentifiersPerProfile === undefined
        ? DEFAULT_MAX_IDENTIFIERS_PER_PROFILE
        : assertInteger(input.maxIdentifiersPerProfile, 1, 100_000, "maxIdentifiersPerProfile"),
  };
}

/** Segment's defaults, for spaces that configured nothing. */
export const DEFAULT_IDENTITY_RULES: IdentityRules = parseIdentitySettings({});

/**
 * Settings saved before patterns ran on RE2 may hold one RE2 refuses (a lookahead, a
 * backreference): loading them keeps every other setting and leaves out those patterns (logged),
 * so a space's identity graph never fails to start over one pattern.
 */
export function loadStoredIdentitySettings(stored: unknown): IdentityRules {
  try {
    return parseIdentitySettings(stored);
  } catch (error) {
    if (!isRecord(stored) || !isRecord(stored.blocked) || !Array.isArray(stored.blocked.patterns))
      throw error;
    const patterns = stored.blocked.patterns.filter((source) => {
      try {
        compileUserPattern(String(source));
        return true;
      } catch {
        return false;
      }
    });
    console.error("identity settings: left out patterns RE2 refuses", {
      dropped: stored.blocked.patterns.length - patterns.length,
    });
    return parseIdentitySettings({ ...stored, blocked: { ...stored.blocked, patterns } });
  }
}

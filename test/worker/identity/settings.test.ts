// The identity settings validator: Segment's defaults when nothing is configured, configured
// values merged over them, and a precise error (path + reason) for every kind of bad setting.
import { describe, expect, it } from "vitest";
import { compareTypePriority, isBlockedValue, limitFor } from "../../../worker/identity/rules.ts";
import {
  DEFAULT_IDENTITY_RULES,
  IdentitySettingsError,
  loadStoredIdentitySettings,
  parseIdentitySettings,
} from "../../../worker/identity/settings.ts";

describe("defaults (Segment identity-resolution settings)", () => {
  it("limits user_id to 1 and every other type to 5, ever", () => {
    expect(limitFor(DEFAULT_IDENTITY_RULES, "user_id")).toEqual({ count: 1, period: "ever" });
    expect(limitFor(DEFAULT_IDENTITY_RULES, "email")).toEqual({ count: 5, period: "ever" });
    expect(limitFor(DEFAULT_IDENTITY_RULES, "ios.idfa")).toEqual({ count: 5, period: "ever" });
  });

  it("ranks user_id, email, then the rest alphabetically (android.id before anonymous_id)", () => {
    const types = ["wifi_mac", "anonymous_id", "email", "phone", "android.id", "user_id"];
    expect(types.sort((a, b) => compareTypePriority(DEFAULT_IDENTITY_RULES, a, b))).toEqual([
      "user_id",
      "email",
      "android.id",
      "anonymous_id",
      "phone",
      "wifi_mac",
    ]);
  });

  it("blocks the suggested values and nothing else", () => {
    for (const v of ["", "-1", "null", "undefined", "anonymous", "0", "--"])
      expect(isBlockedValue(DEFAULT_IDENTITY_RULES, v)).toBe(true);
    for (const v of ["1", "-2", "nil", "u1", "0a"])
      expect(isBlockedValue(DEFAULT_IDENTITY_RULES, v)).toBe(false);
  });
});

describe("configured settings", () => {
  it("merge over the defaults", () => {
    const rules = parseIdentitySettings({
      priority: ["user_id", "phone", "email"],
      limits: { anonymous_id: { count: 10, period: "weekly" } },
      defaultLimit: { count: 3 },
      blocked: { values: [" VOID "] },
      maxMergesPerProfile: 20,
      maxIdentifiersPerProfile: 200,
    });
    expect(limitFor(rules, "user_id")).toEqual({ count: 1, period: "ever" });
    expect(limitFor(rules, "anonymous_id")).toEqual({ count: 10, period: "weekly" });
    expect(limitFor(rules, "email")).toEqual({ count: 3, period: "ever" });
    expect(compareTypePriority(rules, "phone", "email")).toBeLessThan(0);
    expect(isBlockedValue(rules, "void")).toBe(true);
    expect(isBlockedValue(rules, "null")).toBe(true);
    expect([rules.maxMergesPerProfile, rules.maxIdentifiersPerProfile]).toEqual([20, 200]);
  });
});

describe("bad settings give a precise error", () => {
  it.each([
    [null, "$", "settings must be a JSON object"],
    [[], "$", "settings must be a JSON object"],
    [{ limitz: {} }, "limitz", "unknown setting"],
    [{ priority: "user_id" }, "priority", "must be an array"],
    [{ priority: ["user_id", "User ID"] }, "priority[1]", "lower-case identifier type"],
    [{ priority: ["email", "email"] }, "priority[1]", 'duplicate type "email"'],
    [{ limits: [] }, "limits", "keyed by identifier type"],
    [{ limits: { Email: { count: 2 } } }, "limits.Email", "lower-case identifier type"],
    [{ limits: { email: 3 } }, "limits.email", "{count, period}"],
    [{ limits: { email: { count: 0 } } }, "limits.email.count", "integer from 1 to 1000, got 0"],
    [{ limits: { email: { count: 2.5 } } }, "limits.email.count", "got 2.5"],
    [
      { limits: { email: { count: 2, period: "daily" } } },
      "limits.email.period",
      "ever, weekly, monthly, annually",
    ],
    [{ limits: { email: { count: 2, every: "week" } } }, "limits.email.every", "unknown setting"],
    [{ defaultLimit: { count: "5" } }, "defaultLimit.count", 'got "5"'],
    [{ blocked: ["null"] }, "blocked", "{values, patterns}"],
    [{ blocked: { values: "null" } }, "blocked.values", "array of strings"],
    [{ blocked: { values: [1] } }, "blocked.values[0]", "string of at most 256"],
    [
      { blocked: { patterns: ["ok", "(unclosed"] } },
      "blocked.patterns[1]",
      "not a linear-time (RE2) regular expression",
    ],
    [{ blocked: { patterns: ["(a)\\1"] } }, "blocked.patterns[0]", "RE2"],
    [{ blocked: { patterns: ["^(?=admin)"] } }, "blocked.patterns[0]", "RE2"],
    [{ blocked: { patterns: ["a".repeat(201)] } }, "blocked.patterns[0]", "at most 200"],
    [{ blocked: { other: [] } }, "blocked.other", "unknown setting"],
    [{ maxMergesPerProfile: -1 }, "maxMergesPerProfile", "integer from 0 to 10000"],
    [{ maxIdentifiersPerProfile: 0 }, "maxIdentifiersPerProfile", "integer from 1 to 100000"],
  ])("%j fails at %s", (input, path, fragment) => {
    let error: unknown;
    try {
      parseIdentitySettings(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(IdentitySettingsError);
    expect((error as IdentitySettingsError).path).toBe(path);
    expect((error as IdentitySettingsError).message).toContain(fragment);
  });

  it("refuses more than 1,000 blocked values", () => {
    expect(() =>
      parseIdentitySettings({
        blocked: { values: Array.from({ length: 1001 }, (_, i) => `v${i}`) },
      }),
    ).toThrow(/blocked.values: must have at most 1000/);
  });
});

describe("user patterns are hostile", () => {
  // `^(\w+\s?)+$` took 160 ms on 25 characters on a backtracking engine, doubling per character:
  // on 20,000 it would never end (the test's timeout would fail it). RE2 answers in linear time.
  it.each([
    "^(\\w+\\s?)+$",
    "^(a+)+$",
    "^(a|aa)+$",
    "(x+x+)+y",
    "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@)",
  ])("%s runs in linear time on a long attacker value", (pattern) => {
    const rules = parseIdentitySettings({ blocked: { patterns: [pattern] } });
    const evil = `${"a".repeat(20_000)}!`;
    expect(isBlockedValue(rules, evil)).toBe(false);
  });

  it("loads stored settings whose pattern RE2 refuses without the pattern", () => {
    const rules = loadStoredIdentitySettings({
      blocked: { values: ["guest"], patterns: ["^(?=admin)", "^test-"] },
    });
    expect(rules.blockedPatterns.map((p) => p.source)).toContain("^test-");
    expect(rules.blockedPatterns.map((p) => p.source)).not.toContain("^(?=admin)");
    expect(isBlockedValue(rules, "guest")).toBe(true);
  });

  it("an identifier type named like a prototype key takes the default limit", () => {
    const rules = parseIdentitySettings({});
    expect(limitFor(rules, "constructor")).toEqual(rules.defaultLimit);
  });
});

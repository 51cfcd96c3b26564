import { describe, expect, it } from "vitest";
import { PrivacyInputError } from "../../../worker/gate/privacy-input-error.ts";
import {
  applySuppressionChange,
  importSuppressionKey,
  matchesSuppression,
  subjectHash,
  subjectsOf,
} from "../../../worker/gate/suppression/match.ts";
import { identifyWithPii } from "./pii-fixtures.ts";
import { pageEvent } from "./consent-fixtures.ts";

const SECRET = "space-7f3c-suppression-key-0123456789abcdef";

describe("suppression keys", () => {
  it("refuses a key shorter than 32 bytes", async () => {
    await expect(importSuppressionKey("short")).rejects.toBeInstanceOf(PrivacyInputError);
  });

  it("hashes emails in normal form and ids exactly, separated by type", async () => {
    const key = await importSuppressionKey(SECRET);
    const a = await subjectHash(key, "EMAIL", " John_Smith@Gmail.com");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await subjectHash(key, "EMAIL", "john_smith@gmail.com")).toBe(a);
    expect(await subjectHash(key, "USER_ID", "guest-5521")).not.toBe(
      await subjectHash(key, "USER_ID", "Guest-5521"),
    );
    expect(await subjectHash(key, "USER_ID", "x")).not.toBe(
      await subjectHash(key, "ANONYMOUS_ID", "x"),
    );
    expect(await subjectHash(key, "EMAIL", "not an email")).toBeUndefined();
  });

  it("gives different hashes under another space's key", async () => {
    const mine = await importSuppressionKey(SECRET);
    const theirs = await importSuppressionKey(`${SECRET}-other-space`);
    expect(await subjectHash(mine, "USER_ID", "u1")).not.toBe(
      await subjectHash(theirs, "USER_ID", "u1"),
    );
  });
});

describe("subjectsOf", () => {
  it("names the userId and the emails in traits and externalIds (context.traits.Email is not Segment's key)", () => {
    expect(subjectsOf(identifyWithPii())).toEqual([
      { type: "USER_ID", value: "guest-5521" },
      { type: "EMAIL", value: "  John_Smith@Gmail.com " },
      { type: "EMAIL", value: "john_smith@gmail.com" },
    ]);
  });
});

describe("matchesSuppression", () => {
  it("blocks an event of a suppressed email, userId or anonymousId and lets others through", async () => {
    const key = await importSuppressionKey(SECRET);
    const email = await subjectHash(key, "EMAIL", "JOHN_SMITH@gmail.com");
    const anon = await subjectHash(key, "ANONYMOUS_ID", "2e5f9a4c-3b1d-4e7f-8a6b-9c0d1e2f3a4b");
    if (!email || !anon) throw new Error("hash failed");
    expect(await matchesSuppression(identifyWithPii(), { key, hashes: new Set([email]) })).toEqual({
      suppressed: true,
      subjectType: "EMAIL",
    });
    expect(await matchesSuppression(pageEvent(), { key, hashes: new Set([anon]) })).toEqual({
      suppressed: true,
      subjectType: "ANONYMOUS_ID",
    });
    expect(await matchesSuppression(pageEvent(), { key, hashes: new Set([email]) })).toEqual({
      suppressed: false,
    });
    expect(await matchesSuppression(identifyWithPii(), { key, hashes: new Set() })).toEqual({
      suppressed: false,
    });
  });

  it("does not match a hash made with another key", async () => {
    const key = await importSuppressionKey(SECRET);
    const other = await importSuppressionKey(`${SECRET}-other-space`);
    const foreign = await subjectHash(other, "USER_ID", "guest-5521");
    expect(
      await matchesSuppression(identifyWithPii(), { key, hashes: new Set([foreign ?? ""]) }),
    ).toEqual({
      suppressed: false,
    });
  });
});

describe("applySuppressionChange", () => {
  it("adds and removes without changing the input", () => {
    const current = new Set(["a", "b"]);
    expect([...applySuppressionChange(current, "suppress", ["c", "a"])].sort()).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect([...applySuppressionChange(current, "unsuppress", ["a", "zz"])]).toEqual(["b"]);
    expect([...current]).toEqual(["a", "b"]);
  });
});

import { describe, expect, it } from "vitest";
import { normalizeEmail, normalizePhone, phoneForMeta } from "../../../worker/message/contact";

describe("normalizePhone", () => {
  it.each([
    ["06 12 34 56 78", "FR", "+33612345678"],
    ["+33 6 12 34 56 78", undefined, "+33612345678"],
    ["0033 6 12 34 56 78", undefined, "+33612345678"],
    ["+44 (0)20 7946 0958", undefined, "+442079460958"],
    ["33612345678", undefined, "+33612345678"],
    ["33612345678", "FR", "+33612345678"],
  ])("%s (%s) -> %s", (raw, country, want) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: true, value: want });
  });
  it.each([
    ["0612", "FR", "phone_invalid"],
    ["06 12 AB 56 78", "FR", "phone_has_letters"],
    ["06 12 34 56 78", undefined, "phone_invalid"],
  ])("refuses %s (%s) with %s", (raw, country, reason) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: false, reason });
  });
  it("phoneForMeta drops the +", () => {
    expect(phoneForMeta("06 12 34 56 78", "FR")).toEqual({ ok: true, value: "33612345678" });
  });
});

describe("normalizeEmail", () => {
  it.each([
    ["  Ann@Example.COM ", "ann@example.com"],
    ["ann@bücher.de", "ann@bücher.de"],
  ])("%s -> %s", (raw, want) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, value: want });
  });
  it.each(["ann", "ann@", "a b@c.de", 42])("refuses %s", (raw) => {
    expect(normalizeEmail(raw).ok).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import { isSourceAllowed, parseSourceEntry } from "../../../agent/controllers/source-allow.ts";

describe("isSourceAllowed", () => {
  it.each([
    ["192.0.2.7", ["192.0.2.7"], true],
    ["192.0.2.8", ["192.0.2.7"], false],
    ["10.20.30.40", ["10.0.0.0/8"], true],
    ["11.0.0.1", ["10.0.0.0/8"], false],
    ["1.2.3.99", ["1.2.3.0/24"], true],
    ["::ffff:1.2.3.4", ["1.2.3.0/24"], true],
    ["::ffff:1.2.4.4", ["1.2.3.0/24"], false],
    ["1.2.3.4", ["::ffff:1.2.3.0/120"], true],
    ["2001:db8::1", ["2001:0db8:0000:0000:0000:0000:0000:0001"], true],
    ["2001:0db8:0:0:0:0:0:1", ["2001:db8::1"], true],
    ["2001:db8:ffff::1", ["2001:db8::/32"], true],
    ["2001:db9::1", ["2001:db8::/32"], false],
    ["fe80::1%eth0", ["fe80::/10"], true],
    ["2001:db8::1", ["1.2.3.0/24"], false],
    ["1.2.3.4", ["::/0"], false],
    ["1.2.3.4", ["0.0.0.0/0"], true],
    ["not-an-ip", ["0.0.0.0/0"], false],
  ])("%s against %j → %s", (remote, allowed, expected) => {
    expect(isSourceAllowed(remote, allowed)).toBe(expected);
  });

  it("allows everyone with an empty list and nobody without a peer address", () => {
    expect(isSourceAllowed("2001:db8::1", [])).toBe(true);
    expect(isSourceAllowed(undefined, ["::/0"])).toBe(false);
  });
});

describe("parseSourceEntry", () => {
  it.each([
    ["fe80::1%eth0", "zone ids (%…) are not allowed"],
    ["fe80::/10%eth0", "zone ids (%…) are not allowed"],
    ["10.1", "not an IPv4 or IPv6 address"],
    ["010.0.0.1", "not an IPv4 or IPv6 address"],
    ["2001:db8:::1", "not an IPv4 or IPv6 address"],
    ["10.0.0.0/33", "prefix length must be an integer from 0 to 32"],
    ["2001:db8::/129", "prefix length must be an integer from 0 to 128"],
    ["10.0.0.0/", "prefix length must be an integer from 0 to 32"],
    ["10.0.0.0/08", "prefix length must be an integer from 0 to 32"],
    ["10.0.0.0/-1", "prefix length must be an integer from 0 to 32"],
    ["2001:db8::/3.5", "prefix length must be an integer from 0 to 128"],
  ])("refuses %s: %s", (entry, message) => {
    expect(parseSourceEntry(entry)).toBe(message);
  });
});

describe("controllers.allowedSources in the config", () => {
  it("accepts IPv4, IPv6, compressed and full forms and CIDRs", () => {
    const entries = ["192.0.2.7", "10.0.0.0/8", "2001:db8::/32", "2001:0db8:0:0:0:0:0:1", "::1"];
    expect(controllersConfigSchema.parse({ allowedSources: entries }).allowedSources).toEqual(
      entries,
    );
  });

  it("refuses a bad entry naming the field, its index and the reason", () => {
    const result = controllersConfigSchema.safeParse({
      allowedSources: ["192.0.2.7", "2001:db8::/129", "fe80::1%eth0"],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [["allowedSources", 1], "prefix length must be an integer from 0 to 128"],
      [["allowedSources", 2], "zone ids (%…) are not allowed"],
    ]);
  });
});

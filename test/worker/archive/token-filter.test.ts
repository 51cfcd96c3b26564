import { describe, expect, it } from "vitest";
import { buildTokenFilter, eventTokens, TokenFilter } from "../../../worker/archive/index.ts";
import { seededRandom } from "../identity/seeded-random.ts";

const token = (next: () => number) => `${Math.floor(next() * 1e12).toString(36)}-${next()}`;
const random = (seed: number) => {
  const generator = seededRandom(seed);
  return () => generator.next();
};

describe("archive token filter", () => {
  it("never rules out a token it holds, at every size", () => {
    const next = random(7);
    for (const size of [0, 1, 2, 5, 63, 64, 65, 500, 5_000]) {
      const tokens = Array.from({ length: size }, () => token(next));
      const filter = new TokenFilter(buildTokenFilter(tokens));
      for (const t of tokens) expect(filter.mayHold(t)).toBe(true);
    }
  });

  it("answers about 1% false positives for tokens it does not hold", () => {
    const next = random(11);
    const held = Array.from({ length: 2_000 }, () => token(next));
    const filter = new TokenFilter(buildTokenFilter(held));
    let positives = 0;
    const probes = 20_000;
    for (let i = 0; i < probes; i++) if (filter.mayHold(`absent-${token(next)}`)) positives++;
    // 10 bits and 7 probes per token: ~0.8% expected; 2% leaves room for the hash, never more.
    expect(positives / probes).toBeLessThan(0.02);
    // A filter that held everything would pass the test above only if it were wrong: check it can say no.
    expect(positives).toBeLessThan(probes);
  });

  it("reads a row written before filters (null) as holding anything", () => {
    expect(new TokenFilter(null).mayHold("anything")).toBe(true);
    expect(new TokenFilter(null).mayHoldAny([])).toBe(false);
  });

  it("takes ids, message ids and every stored form of an email, at any depth and key", () => {
    const hashed = "a".repeat(64);
    const tokens = new Set<string>();
    eventTokens(
      {
        messageId: "m-1",
        userId: "u-1",
        anonymousId: "a-1",
        previousId: "p-1",
        properties: {
          invitee: "  Ann@Example.COM ",
          ["__proto__"]: { nested: [hashed.toUpperCase()] },
          plan: "pro",
          count: 3,
          note: "x".repeat(400) + "@example.com",
        },
      },
      tokens,
    );
    expect([...tokens].sort()).toEqual(
      ["a-1", "ann@example.com", hashed, "m-1", "p-1", "u-1"].sort(),
    );
  });

  it("stops walking at 32 levels (a hostile event cannot make it recurse without end)", () => {
    let deep: Record<string, unknown> = { email: "deep@example.com" };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    const tokens = new Set<string>();
    eventTokens({ messageId: "m", properties: deep }, tokens);
    expect([...tokens]).toEqual(["m"]);
  });
});

import { describe, expect, it } from "vitest";
import { ShortCache } from "../../../worker/platform/short-cache.ts";

describe("ShortCache", () => {
  it("shares one load among callers on a miss, and loads again after the ttl or a forget", async () => {
    const cache = new ShortCache<number>(1_000, 10);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    const [a, b] = await Promise.all([cache.get("k", load, 0), cache.get("k", load, 10)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    expect(await cache.get("k", load, 999)).toBe(1);
    expect(await cache.get("k", load, 1_000)).toBe(2);
    cache.forget("k");
    expect(await cache.get("k", load, 1_001)).toBe(3);
  });

  it("does not remember a failed load", async () => {
    const cache = new ShortCache<string>(1_000, 10);
    await expect(cache.get("k", () => Promise.reject(new Error("down")), 0)).rejects.toThrow(
      "down",
    );
    expect(await cache.get("k", () => Promise.resolve("up"), 1)).toBe("up");
  });

  it("stays bounded: a full cache starts over", async () => {
    const cache = new ShortCache<number>(60_000, 2);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    await cache.get("a", load, 0);
    await cache.get("b", load, 0);
    await cache.get("c", load, 0);
    expect(await cache.get("a", load, 1)).toBe(4);
  });
});

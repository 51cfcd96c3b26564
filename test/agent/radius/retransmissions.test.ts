import { expect, it } from "vitest";
import { RetransmissionCache } from "../../../agent/radius/retransmissions.ts";

it("keys on source, identifier and authenticator, expires and stays bounded", () => {
  let now = 0;
  const cache = new RetransmissionCache(1000, 2, () => now);
  const auth = Buffer.alloc(16, 7);
  const k = RetransmissionCache.key("127.0.0.1", 5000, 9, auth);
  expect(k).not.toBe(RetransmissionCache.key("127.0.0.1", 5001, 9, auth));
  expect(k).not.toBe(RetransmissionCache.key("127.0.0.1", 5000, 10, auth));
  expect(k).not.toBe(RetransmissionCache.key("127.0.0.1", 5000, 9, Buffer.alloc(16, 8)));
  cache.set(k, Buffer.from("reply"));
  expect(cache.get(k)).toEqual(Buffer.from("reply"));
  now = 1001;
  expect(cache.get(k)).toBeUndefined();
  cache.set("a", Buffer.from("a"));
  cache.set("b", Buffer.from("b"));
  cache.set("c", Buffer.from("c"));
  expect(cache.size).toBe(2);
  expect(cache.get("a")).toBeUndefined();
  expect(cache.get("c")).toEqual(Buffer.from("c"));
});

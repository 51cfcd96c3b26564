// Rate-limit leases (worker/gate/admission/lease.ts) against a counting limiter: concurrent
// requests share one lease call, a lease is spent locally, never reused past its time or for
// another key, and the limiter's refusals come through.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  admitLeased,
  dropLease,
  LEASE_MS,
  type LeaseRequest,
  type LeaseResult,
} from "../../../worker/gate/admission/lease.ts";
import type { SourceSnapshot } from "../../../worker/sources/index.ts";

function source(id: string, rate = 1_000, burst = 2_000): SourceSnapshot {
  return {
    id,
    spaceId: "spc",
    name: id,
    enabled: true,
    writeKeyHash: "k1",
    rateLimitPerSecond: rate,
    rateLimitBurst: burst,
    ipMode: "truncate",
    retentionDays: 90,
    updatedAt: 1,
  } as unknown as SourceSnapshot;
}

/** A limiter that grants what is wanted from `tokens`, and records every call. */
function limiter(tokens: number) {
  const calls: LeaseRequest[] = [];
  let left = tokens;
  const call = async (request: LeaseRequest): Promise<LeaseResult> => {
    calls.push(request);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (request.keyHash !== "k1") return { status: "invalid_key" };
    if (left < request.needed) return { status: "rate_limited", retryAfter: 1 };
    const granted = Math.min(request.wanted, left);
    left -= granted;
    return { status: "ok", granted };
  };
  return { call, calls };
}

afterEach(() => vi.useRealTimers());

describe("rate-limit leases", () => {
  it("serves 16 concurrent requests from one lease call", async () => {
    const s = source("lease-a");
    const l = limiter(10_000);
    const results = await Promise.all(
      Array.from({ length: 16 }, () => admitLeased(l.call, s, "k1", 5)),
    );
    expect(results.every((r) => r.status === "ok")).toBe(true);
    // One lease of 0.1 s of the rate (100 tokens) covers 16 × 5.
    expect(l.calls).toHaveLength(1);
    expect(l.calls[0]).toMatchObject({ needed: 5, wanted: 100 });
  });

  it("takes a new lease when the held one is spent, past its time, or for another key", async () => {
    const s = source("lease-b");
    const l = limiter(10_000);
    expect((await admitLeased(l.call, s, "k1", 60)).status).toBe("ok");
    expect((await admitLeased(l.call, s, "k1", 40)).status).toBe("ok");
    expect(l.calls).toHaveLength(1);
    expect((await admitLeased(l.call, s, "k1", 1)).status).toBe("ok");
    expect(l.calls).toHaveLength(2);
    // 99 tokens are left of the second lease, but past LEASE_MS they are not spent.
    expect((await admitLeased(l.call, s, "k1", 1)).status).toBe("ok");
    expect(l.calls).toHaveLength(2);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + LEASE_MS + 1);
    expect((await admitLeased(l.call, s, "k1", 1)).status).toBe("ok");
    vi.useRealTimers();
    expect(l.calls).toHaveLength(3);
    // A rotated-out key is refused by the limiter, never served from the held lease.
    expect(await admitLeased(l.call, s, "k2", 1)).toEqual({ status: "invalid_key" });
    expect(l.calls).toHaveLength(4);
    dropLease("lease-b");
    expect((await admitLeased(l.call, s, "k1", 1)).status).toBe("ok");
    expect(l.calls).toHaveLength(5);
  });

  it("passes the limiter's 429 on, and never admits more than the limiter granted", async () => {
    const s = source("lease-c", 10, 20);
    const l = limiter(20);
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push((await admitLeased(l.call, s, "k1", 1)).status);
    expect(answers.filter((a) => a === "ok")).toHaveLength(20);
    expect(answers.slice(20).every((a) => a === "rate_limited")).toBe(true);
  });
});

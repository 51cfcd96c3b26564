import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { agentApp } from "../../../agent/http/app.ts";
import { RateLimiter } from "../../../agent/http/rate-limit.ts";

/** What @hono/node-server passes as the env: the peer's socket. */
const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });
const local = from("127.0.0.1");

describe("agentApp", () => {
  it("serves /healthz, /status, mounted apps and a JSON 404", async () => {
    let depth = 3;
    const webhooks = new Hono().post("/webhooks/test", (c) => c.json({ accepted: true }));
    const portal = new Hono().get("/", (c) => c.text("portal home"));
    const app = agentApp({
      status: () => ({ outbox: { depth } }),
      mounts: [
        { path: "/", app: webhooks },
        { path: "/portal", app: portal },
      ],
    });
    expect(await (await app.request("/healthz")).json()).toEqual({ ok: true });
    expect(await (await app.request("/status", {}, local)).json()).toEqual({
      outbox: { depth: 3 },
    });
    depth = 4;
    expect(await (await app.request("/status", {}, local)).json()).toEqual({
      outbox: { depth: 4 },
    });
    // Guests reach the same port through the captive portal: /status is not theirs to read.
    const guest = await app.request("/status", {}, from("10.20.0.7"));
    expect(guest.status).toBe(403);
    expect(JSON.stringify(await guest.json())).not.toContain("depth");
    expect((await app.request("/status", {}, from("::ffff:127.0.0.1"))).status).toBe(200);
    expect(await (await app.request("/webhooks/test", { method: "POST" })).json()).toEqual({
      accepted: true,
    });
    expect(await (await app.request("/portal")).text()).toBe("portal home");
    const missing = await app.request("/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "not_found", message: "no such route" },
    });
  });

  it("answers a failing status with a 500 that reveals nothing", async () => {
    const app = agentApp({
      status: () => {
        throw new Error("secret detail");
      },
    });
    const res = await app.request("/status", {}, local);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret detail");
  });
});

describe("failures counted with the shared rate limiter", () => {
  it("check counts nothing; after 10 recorded failures the address waits, others do not", () => {
    let now = Date.parse("2026-03-01T10:00:00Z");
    const failures = new RateLimiter({ max: 10, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 20; i++) expect(failures.check("10.0.0.9").ok).toBe(true);
    for (let i = 0; i < 10; i++) failures.record("10.0.0.9");
    expect(failures.check("10.0.0.9")).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(failures.check("10.0.0.10").ok).toBe(true);
    now += 120_000;
    expect(failures.check("10.0.0.9").ok).toBe(true);
  });
});

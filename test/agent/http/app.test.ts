import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { agentApp } from "../../../agent/http/app.ts";

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
    expect(await (await app.request("/status")).json()).toEqual({ outbox: { depth: 3 } });
    depth = 4;
    expect(await (await app.request("/status")).json()).toEqual({ outbox: { depth: 4 } });
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
    const res = await app.request("/status");
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret detail");
  });
});

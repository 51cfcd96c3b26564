// startAgent in-process: the controllers' routes are mounted on the agent's HTTP server, portal
// mounts are honoured, and stop() releases every port.
import path from "node:path";
import { Hono } from "hono";
import { afterEach, beforeEach, expect, it } from "vitest";
import { parseConfigText } from "../../../agent/config/load.ts";
import { createJsonLog } from "../../../agent/log/json-log.ts";
import { startAgent } from "../../../agent/runtime/agent.ts";
import { tempDir } from "../outbox/outbox-fixture.ts";
import { startEdgeStandIn, type EdgeStandIn } from "../uplink/edge-stand-in.ts";

let edge: EdgeStandIn;
let dir: string;
let cleanup: () => void;
beforeEach(async () => {
  edge = await startEdgeStandIn();
  ({ dir, cleanup } = tempDir("foyer-runtime-"));
});
afterEach(async () => {
  await edge.close();
  cleanup();
});

it("mounts the controller webhooks and a portal app, and reports status", async () => {
  const config = parseConfigText(
    `venue: { id: venue-rt, name: Runtime, key: runtime-venue-key-0001 }
edge: { url: "${edge.url}", writeKey: wk_rt }
outbox: { path: "${path.join(dir, "agent.sqlite")}" }
http: { host: 127.0.0.1, port: 0 }
radius: { enabled: false }
controllers:
  meraki:
    scanning: { enabled: true, validator: validator-token-123, secret: { env: SCAN_SECRET } }
`,
    { SCAN_SECRET: "scan-secret" },
  );
  const lines: string[] = [];
  const portal = new Hono().get("/", (c) => c.text("welcome"));
  const agent = await startAgent(
    config,
    createJsonLog("info", (l) => lines.push(l)),
    [{ path: "/portal", app: portal }],
  );
  try {
    const base = `http://127.0.0.1:${agent.ports.http}`;
    expect(agent.ports).toMatchObject({ radiusAuth: null, radiusAcct: null });
    expect(await (await fetch(`${base}/webhooks/meraki/scanning`)).text()).toBe(
      "validator-token-123",
    );
    expect(await (await fetch(`${base}/portal`)).text()).toBe("welcome");
    const status = (await (await fetch(`${base}/status`)).json()) as {
      venue: string;
      outbox: { depth: number };
    };
    expect(status).toMatchObject({ venue: "venue-rt", outbox: { depth: 0 } });
    expect(JSON.parse(lines.find((l) => l.includes("agent listening"))!)).toMatchObject({
      http: agent.ports.http,
    });
  } finally {
    await agent.stop();
  }
  await expect(fetch(`http://127.0.0.1:${agent.ports.http}/healthz`)).rejects.toThrow();
});

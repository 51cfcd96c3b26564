// The agent as the integrator runs it: `node agent/main.ts start --config FILE`, driven by radclient,
// delivering to an HTTP edge stand-in, inspected with /status and `agent status`, stopped by SIGTERM.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../outbox/outbox-fixture.ts";
import { hasRadclient, radclient } from "../radius/radius-harness.ts";
import { startEdgeStandIn, type EdgeStandIn } from "../uplink/edge-stand-in.ts";

const MAIN = path.join(import.meta.dirname, "../../../agent/main.ts");
const GUEST_MAC = "F2-62-E7-99-63-C6";
const RADIUS_SECRET = "radius-secret-for-process-test";
const WRITE_KEY = "wk_process_test_key";

let edge: EdgeStandIn;
let dir: string;
let cleanup: () => void;
let configFile: string;

beforeAll(async () => {
  edge = await startEdgeStandIn();
  ({ dir, cleanup } = tempDir("foyer-agent-proc-"));
  configFile = path.join(dir, "agent.yaml");
  writeFileSync(
    configFile,
    `venue: { id: venue-proc, name: Process Test, key: process-test-venue-key }
edge: { url: "${edge.url}", writeKey: { env: TEST_WRITE_KEY } }
outbox: { path: ./agent.sqlite }
http: { host: 127.0.0.1, port: 0 }
radius:
  host: 127.0.0.1
  authPort: 0
  acctPort: 0
  clients: [{ address: 127.0.0.1, secret: { env: TEST_RADIUS_SECRET }, name: proc-nas }]
`,
  );
});
afterAll(async () => {
  await edge.close();
  cleanup();
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, TEST_WRITE_KEY: WRITE_KEY, TEST_RADIUS_SECRET: RADIUS_SECRET },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("agent process", () => {
  it("refuses a bad config with the path, expected and got, exit 2", async () => {
    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, "venue: { id: v, name: n, key: short }\n");
    const r = await runCli(["start", "--config", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("venue.key: expected string >= 16, got a string of 5 characters");
    expect((await runCli(["bogus"])).code).toBe(2);
  });

  it.skipIf(!hasRadclient)(
    "starts, records RADIUS accounting, uplinks it, reports status, stops on SIGTERM",
    async () => {
      const child = spawn(process.execPath, [MAIN, "start", "--config", configFile], {
        env: { ...process.env, TEST_WRITE_KEY: WRITE_KEY, TEST_RADIUS_SECRET: RADIUS_SECRET },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      const listening = await new Promise<{ http: number; radiusAuth: number; radiusAcct: number }>(
        (resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`agent did not start:\n${stdout}`)),
            20_000,
          );
          child.stdout.on("data", () => {
            const line = stdout.split("\n").find((l) => l.includes('"msg":"agent listening"'));
            if (line) {
              clearTimeout(timer);
              resolve(JSON.parse(line) as { http: number; radiusAuth: number; radiusAcct: number });
            }
          });
        },
      );
      try {
        const r = await radclient(
          listening.radiusAcct,
          "acct",
          `Acct-Status-Type = Start\nAcct-Session-Id = "proc-1"\nUser-Name = "guest@example.com"\nCalling-Station-Id = "${GUEST_MAC}"\nCalled-Station-Id = "D0-15-A6-C2-74-D0:Guest WiFi"\n`,
          RADIUS_SECRET,
        );
        expect(r.stdout).toContain("Received Accounting-Response");
        for (let i = 0; i < 200 && edge.stored.size === 0; i++)
          await new Promise((res) => setTimeout(res, 25));
        const [message] = [...edge.stored.values()] as { event: string; anonymousId: string }[];
        expect(message).toMatchObject({ event: "WiFi Session Started" });
        expect(message?.anonymousId).toMatch(/^[0-9a-f]{64}$/);
        expect(edge.received[0]?.authorization).toBe(
          `Basic ${Buffer.from(`${WRITE_KEY}:`).toString("base64")}`,
        );

        const health = await fetch(`http://127.0.0.1:${listening.http}/healthz`);
        expect(await health.json()).toEqual({ ok: true });
        let status:
          | {
              outbox: { depth: number };
              counters: Record<string, number>;
              uplink: { lastResult: { ok: boolean } | null };
            }
          | undefined;
        for (let i = 0; i < 100; i++) {
          status = (await (
            await fetch(`http://127.0.0.1:${listening.http}/status`)
          ).json()) as typeof status;
          if (status?.uplink.lastResult?.ok) break;
          await new Promise((res) => setTimeout(res, 25));
        }
        expect(status).toMatchObject({
          outbox: { depth: 0 },
          counters: { "radius.acct.start": 1 },
          uplink: { lastResult: { ok: true } },
        });
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
      expect(stdout).toContain('"msg":"agent stopped"');
      for (const line of stdout.trim().split("\n"))
        expect(() => JSON.parse(line) as unknown).not.toThrow();
      for (const forbidden of [
        GUEST_MAC,
        "f2:62:e7:99:63:c6",
        "guest@example.com",
        RADIUS_SECRET,
        WRITE_KEY,
      ]) {
        expect(`${stdout}${stderr}`.toLowerCase()).not.toContain(forbidden.toLowerCase());
      }

      // `agent status` with the agent stopped reads the SQLite file.
      const offline = await runCli(["status", "--config", configFile]);
      expect(offline.code).toBe(0);
      expect(JSON.parse(offline.stdout)).toMatchObject({
        source: "database",
        outbox: { depth: 0, parked: 0 },
        uplink: { lastResult: { ok: true, status: 200 } },
        counters: { "radius.acct.start": 1 },
      });
    },
  );
});

// The installable agent: `npm run build`'s bundle copied ALONE into an empty temp directory (no
// node_modules anywhere up the tree), then run as an installer would: --help, --version,
// check-config on a good and a bad config, and `start` answering RADIUS and /healthz on 127.0.0.1.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../../scripts/build-agent.ts";
import { startTestController } from "../controllers/unifi-test-controller.ts";
import { tempDir } from "../outbox/outbox-fixture.ts";
import { hasRadclient, radclient } from "../radius/radius-harness.ts";

const PKG = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "../../../package.json"), "utf8"),
) as { version: string; bin: Record<string, string> };
const SECRET = "bundle-test-radius-secret";

let build: ReturnType<typeof tempDir>;
let install: ReturnType<typeof tempDir>;
let bundle: string;

beforeAll(async () => {
  build = tempDir("foyer-build-");
  install = tempDir("foyer-install-");
  await buildAgent(path.join(build.dir, "foyer-agent.mjs"));
  bundle = path.join(install.dir, "foyer-agent.mjs");
  copyFileSync(path.join(build.dir, "foyer-agent.mjs"), bundle);
}, 60_000);
afterAll(() => {
  build.cleanup();
  install.cleanup();
});

function hasNodeModulesUpTree(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "node_modules"))) return true;
    if (path.dirname(d) === d) return false;
  }
}

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd: install.dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function config(extra = ""): string {
  return `venue: { id: venue-bundle, name: Bundle Test, key: bundle-test-venue-key }
edge: { url: "http://127.0.0.1:9", writeKey: wk_bundle_test }
outbox: { path: ./agent.sqlite }
http: { host: 127.0.0.1, port: 0 }
radius:
  host: 127.0.0.1
  authPort: 0
  acctPort: 0
  clients: [{ address: 127.0.0.1, secret: ${SECRET}, name: bundle-nas }]
${extra}`;
}

describe("the bundled agent (dist/foyer-agent.mjs)", () => {
  it("is one executable file with a node shebang, installed with no node_modules around it", () => {
    expect(PKG.bin["foyer-agent"]).toBe("dist/foyer-agent.mjs");
    expect(hasNodeModulesUpTree(install.dir)).toBe(false);
    expect(readFileSync(bundle, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    expect(statSync(bundle).mode & 0o111).not.toBe(0);
  });

  it("prints --help and --version (package.json's, injected at build)", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: foyer-agent");
    expect(help.stdout).toContain("check-config FILE");
    const version = await run(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: `${PKG.version}\n` });
    expect((await run(["bogus"])).code).toBe(2);
  });

  it("check-config: ok and exit 0 on a valid config", async () => {
    const good = path.join(install.dir, "good.yaml");
    writeFileSync(good, config());
    const r = await run(["check-config", good]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok ${good}\n`);
  });

  it("check-config: each error with its path, exit 1, no secret echoed", async () => {
    const bad = path.join(install.dir, "bad.yaml");
    writeFileSync(
      bad,
      `venue: { id: v, name: n, key: short }
outbox: { path: ./a.sqlite }
radius: { authPort: 70000, clients: [{ address: 127.0.0.1, name: nas }] }
log: { level: loud }
`,
    );
    const r = await run(["check-config", bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    for (const line of [
      "venue.key: expected string >= 16, got a string of 5 characters",
      "edge: expected object, got nothing (missing)",
      "radius.authPort: expected number <= 65535, got 70000",
      "radius.clients.0.secret: expected string, got nothing (missing)",
      'log.level: expected one of "debug", "info", "warn", "error", got "loud"',
    ])
      expect(r.stderr).toContain(line);
    expect(r.stderr).not.toContain("short");
    const missing = await run(["check-config", path.join(install.dir, "nope.yaml")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("$: expected a readable config file, got ENOENT");
  });

  it("check-config passes agent/deploy/agent.example.yaml once its env secrets are set", async () => {
    const example = path.join(import.meta.dirname, "../../../agent/deploy/agent.example.yaml");
    const secrets = {
      FOYER_VENUE_KEY: "venue-key-0123456789",
      FOYER_WRITE_KEY: "wk_example",
      FOYER_RADIUS_SECRET: "radius-secret",
      FOYER_UNIFI_PASSWORD: "unifi-password",
      FOYER_PORTAL_SECRET: "p".repeat(40),
    };
    expect(await run(["check-config", example], secrets)).toMatchObject({ code: 0 });
    const unset = await run(["check-config", example]);
    expect(unset.code).toBe(1);
    for (const at of [
      "venue.key",
      "edge.writeKey",
      "radius.clients.0.secret",
      "controllers.unifi.password",
      "portal.secret",
    ])
      expect(unset.stderr).toContain(`${at}: expected environment variable`);
  });

  it("starts, answers /healthz and RADIUS, streams from a pinned UniFi controller, stops", async () => {
    const unifi = await startTestController("classic");
    const file = path.join(install.dir, "agent.yaml");
    writeFileSync(
      file,
      config(`controllers:
  unifi:
    enabled: true
    url: "${unifi.url}"
    flavor: classic
    username: admin
    password: unifi-pass
    certificateSha256: "${unifi.certificate.sha256}"
`),
    );
    const child = spawn(process.execPath, [bundle, "start", "--config", file], {
      cwd: install.dir,
      env: {},
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const listening = await new Promise<{ http: number; radiusAuth: number }>((resolve) => {
        child.stdout.on("data", () => {
          const line = stdout.split("\n").find((l) => l.includes('"msg":"agent listening"'));
          if (line) resolve(JSON.parse(line) as { http: number; radiusAuth: number });
        });
      });
      const health = await fetch(`http://127.0.0.1:${listening.http}/healthz`);
      expect(await health.json()).toEqual({ ok: true });
      if (hasRadclient) {
        const r = await radclient(
          listening.radiusAuth,
          "auth",
          `User-Name = "F2-62-E7-99-63-C6"\nUser-Password = "F2-62-E7-99-63-C6"\nCalling-Station-Id = "F2-62-E7-99-63-C6"\nMessage-Authenticator = 0x00\n`,
          SECRET,
        );
        // An unknown MAC without a portal login is refused: the answer proves the server runs.
        expect(r.stdout).toContain("Received Access-Reject");
      }
      // The bundled `ws` client logs in and opens the wss stream through the certificate pin.
      let counters: Record<string, number> = {};
      for (let i = 0; i < 200 && !counters["unifi.connected"]; i++) {
        const status = await fetch(`http://127.0.0.1:${listening.http}/status`);
        ({ counters } = (await status.json()) as { counters: Record<string, number> });
        if (!counters["unifi.connected"]) await new Promise((res) => setTimeout(res, 25));
      }
      expect(counters["unifi.connected"]).toBe(1);
      expect(unifi.upgrades[0]?.cookie).toBe("unifises=sess-1");
    } finally {
      child.kill("SIGTERM");
      await unifi.close();
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('"msg":"agent stopped"');
  });
});

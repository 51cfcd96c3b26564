import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../agent/config/errors.ts";
import { loadConfig, parseConfigText } from "../../../agent/config/load.ts";

const env = { FOYER_WRITE_KEY: "wk_demo", RADIUS_SECRET: "s3cret-from-env" };
const minimal = `
venue: { id: v1, name: Venue One, key: 0123456789abcdef }
edge: { url: "http://127.0.0.1:8787", writeKey: { env: FOYER_WRITE_KEY } }
outbox: { path: ./agent.sqlite }
`;

function issuesOf(text: string, e: Record<string, string> = env) {
  try {
    parseConfigText(text, e);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfigText", () => {
  it("fills defaults and resolves env secrets", () => {
    const c = parseConfigText(minimal, env);
    expect(c.edge.writeKey).toBe("wk_demo");
    expect(c.radius).toMatchObject({
      authPort: 1812,
      acctPort: 1813,
      requireMessageAuthenticator: true,
      clients: [],
    });
    expect(c.radius.macAuth).toEqual({ enabled: true, windowDays: 30 });
    expect(c.http).toEqual({
      host: "127.0.0.1",
      port: 8788,
      statusAllowedSources: ["127.0.0.1/32", "::1/128"],
    });
    expect(c.outbox).toMatchObject({ maxRows: 1_000_000, synchronous: "full" });
    expect(c.log.level).toBe("info");
    expect(c.controllers).toBeUndefined();
  });

  it("accepts JSON too", () => {
    const json = JSON.stringify({
      venue: { id: "v1", name: "V", key: "0123456789abcdef" },
      edge: { url: "https://edge.example.com", writeKey: "wk" },
      outbox: { path: "/tmp/x.sqlite" },
      radius: { clients: [{ address: "10.0.0.1", secret: { env: "RADIUS_SECRET" } }] },
    });
    expect(parseConfigText(json, env).radius.clients[0]?.secret).toBe("s3cret-from-env");
  });

  it("reports an unset env variable with its path", () => {
    expect(issuesOf(minimal, {})).toEqual([
      {
        path: "edge.writeKey",
        expected: "environment variable FOYER_WRITE_KEY to be set",
        got: "unset",
      },
    ]);
  });

  it("reports every schema problem with path, expected and got, never the secret", () => {
    const text = `${minimal}
radius:
  authPort: 70000
  clients:
    - { address: not-an-ip, secret: 42 }
log: { level: verbose }
extra: true
`;
    const issues = issuesOf(text);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "radius.authPort", expected: "number <= 65535", got: "70000" },
        {
          path: "radius.clients.0.address",
          expected: "an IPv4 or IPv6 address",
          got: "a string of 9 characters",
        },
        { path: "radius.clients.0.secret", expected: "string", got: "42" },
        {
          path: "log.level",
          expected: 'one of "debug", "info", "warn", "error"',
          got: '"verbose"',
        },
        { path: "$", expected: "only known keys", got: "unknown key(s) extra" },
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it("names missing sections and a short venue key without echoing it", () => {
    const issues = issuesOf("venue: { id: v, name: n, key: short-key }\n");
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "venue.key", expected: "string >= 16", got: "a string of 9 characters" },
        { path: "edge", expected: "object", got: "nothing (missing)" },
        { path: "outbox", expected: "object", got: "nothing (missing)" },
      ]),
    );
    expect(JSON.stringify(issues)).not.toContain("short-key");
  });

  it("reports YAML syntax errors with the line", () => {
    const [issue] = issuesOf("venue: { id: v1\nedge: [\n");
    expect(issue).toMatchObject({ path: "$", expected: "valid YAML or JSON" });
    expect(issue?.got).toMatch(/line \d+ column \d+/);
  });

  it("validates the controllers and mqtt sections with the other inputs' schemas", () => {
    const bad = issuesOf(`${minimal}\nmqtt: { url: "http://nope" }\n`);
    expect(bad[0]?.path).toBe("mqtt.url");
    const good = parseConfigText(
      `${minimal}\nmqtt: { url: "mqtt://127.0.0.1:1883" }\ncontrollers: {}\n`,
      env,
    );
    expect(good.mqtt?.url).toBe("mqtt://127.0.0.1:1883");
    expect(good.controllers?.meraki).toEqual({});
  });
});

describe("loadConfig", () => {
  it("resolves outbox.path against the config file's folder, and loads the demo config", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "foyer-config-"));
    try {
      const file = path.join(dir, "agent.yaml");
      writeFileSync(file, minimal);
      expect(loadConfig(file, env).outbox.path).toBe(path.join(dir, "agent.sqlite"));
      const demo = loadConfig(
        path.join(import.meta.dirname, "../../../agent/demo.config.yaml"),
        env,
      );
      expect(demo.radius.clients).toEqual([
        { address: "127.0.0.1", name: "local-radclient", secret: "testing123" },
      ]);
      expect(demo.edge).toMatchObject({ url: "http://127.0.0.1:8787", writeKey: "wk_demo" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing file", () => {
    expect(() => loadConfig("/nonexistent/agent.yaml", env)).toThrow(
      /expected a readable config file, got ENOENT/,
    );
  });
});

import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkEdge, checkPorts, runDoctor } from "../../../agent/commands/doctor.ts";
import { parseConfigText } from "../../../agent/config/load.ts";
import { startEdgeStandIn, type EdgeStandIn } from "../uplink/edge-stand-in.ts";

let edge: EdgeStandIn;
beforeEach(async () => {
  edge = await startEdgeStandIn();
});
afterEach(async () => {
  await edge.close();
});

const config = (url: string, httpPort = 0) =>
  parseConfigText(
    `venue: { id: v, name: n, key: 0123456789abcdef }
edge: { url: "${url}", writeKey: wk_doctor }
outbox: { path: /tmp/unused.sqlite }
http: { host: 127.0.0.1, port: ${httpPort} }
radius: { host: 127.0.0.1, authPort: 0, acctPort: 0 }
controllers: {}
`,
    {},
  );

describe("agent doctor", () => {
  it("reports the write key accepted on 200 and on a 400 for the empty probe batch", async () => {
    expect(await checkEdge(config(edge.url))).toMatchObject({ ok: true });
    expect(edge.received[0]).toMatchObject({
      path: "/v1/batch",
      authorization: `Basic ${Buffer.from("wk_doctor:").toString("base64")}`,
    });
    edge.script.push({ status: 400, body: { error: { code: "empty_batch" } } });
    expect(await checkEdge(config(edge.url))).toMatchObject({ ok: true });
  });

  it("reports a refused write key with the edge's code", async () => {
    edge.script.push({ status: 401, body: { error: { code: "invalid_write_key" } } });
    expect(await checkEdge(config(edge.url))).toEqual({
      check: "edge",
      ok: false,
      detail: `${edge.url} refused the write key (invalid_write_key)`,
    });
  });

  it("reports an unreachable edge", async () => {
    const r = await checkEdge(config("http://127.0.0.1:1"));
    expect(r.ok).toBe(false);
    expect(r.detail).toContain("unreachable");
  });

  it("reports a busy HTTP port and free RADIUS ports", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const checks = await checkPorts(config(edge.url, port));
      expect(checks).toEqual([
        { check: "port.http", ok: false, detail: `127.0.0.1:${port} EADDRINUSE` },
        { check: "port.radius.auth", ok: true, detail: "127.0.0.1:0 free" },
        { check: "port.radius.acct", ok: true, detail: "127.0.0.1:0 free" },
      ]);
    } finally {
      busy.close();
    }
  });

  it("includes the controllers' probes", async () => {
    const checks = await runDoctor(config(edge.url));
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        "config",
        "edge",
        "port.http",
        "controller.meraki.scanning",
        "controller.unifi",
      ]),
    );
    expect(checks.every((c) => c.ok)).toBe(true);
  });
});

// kill -9 the uplink while the edge has stored a batch but not yet answered: after a restart the
// batch is resent with the same messageIds and bodies, the edge drops the repeats, and it ends
// with exactly the appended set of distinct events.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { Uplink } from "../../../agent/uplink/uplink.ts";
import { tempDir, trackMessage } from "../outbox/outbox-fixture.ts";
import { startEdgeStandIn } from "./edge-stand-in.ts";

const { dir, cleanup } = tempDir("foyer-uplink-crash-");
afterEach(() => cleanup());

it("the edge ends with every event exactly once after a crash mid-delivery", async () => {
  const file = path.join(dir, "agent.sqlite");
  const N = 200;
  const expected = Array.from({ length: N }, (_, i) => trackMessage(`evt-${i}`));
  new Outbox(openAgentDatabase(file), { maxRows: 100_000 }).append(expected, "session");

  const edge = await startEdgeStandIn();
  try {
    edge.script.push({ status: 200 }, { status: 200 }, { status: 200, hang: true });
    const child = spawn(
      process.execPath,
      [path.join(import.meta.dirname, "uplink-child.ts"), file, edge.url],
      {
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    edge.onBatch = () => {
      if (edge.received.length === 3) child.kill("SIGKILL");
    };
    await exited;
    expect(child.signalCode).toBe("SIGKILL");
    expect(edge.stored.size).toBe(75);

    const outbox = new Outbox(openAgentDatabase(file), { maxRows: 100_000 });
    expect(outbox.stats().depth).toBe(N - 50); // the hung batch was never acked
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const uplink = new Uplink(outbox, {
      edgeUrl: edge.url,
      writeKey: "wk_venue_test",
      batchSize: 25,
      log: quiet,
    });
    for (let i = 0; i < 20 && outbox.stats().depth > 0; i++) await uplink.drainOnce();

    expect(outbox.stats().depth).toBe(0);
    expect(edge.stored.size).toBe(N);
    expect([...edge.stored.keys()].sort()).toEqual(expected.map((m) => m.messageId).sort());
    expect(edge.duplicates()).toBe(25); // the resent batch, dropped by messageId
    expect(edge.unstable()).toBe(0); // same messageId, same body
  } finally {
    await edge.close();
  }
});

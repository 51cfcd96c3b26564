// kill -9 during appends: every messageId the child printed (after `append` returned) must be
// there after reopening. This is invariant 6 of docs/architecture.md at the storage layer.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { tempDir } from "./outbox-fixture.ts";

const { dir, cleanup } = tempDir("foyer-crash-");
afterEach(() => cleanup());

it("loses no acknowledged append when the process is killed with SIGKILL", async () => {
  const file = path.join(dir, "agent.sqlite");
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, "append-child.ts"), file, "run1"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const acked: string[] = [];
  let buffered = "";
  await new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => resolve());
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      acked.push(...lines);
      if (acked.length >= 300 && child.exitCode === null && !child.killed) child.kill("SIGKILL");
    });
  });
  expect(child.signalCode).toBe("SIGKILL");
  expect(acked.length).toBeGreaterThanOrEqual(300);

  const outbox = new Outbox(openAgentDatabase(file), { maxRows: 1_000_000 });
  const stored = new Set(outbox.lease(1_000_000).map((i) => i.messageId));
  const missing = acked.filter((id) => !stored.has(id));
  expect(missing).toEqual([]);
  // Nothing beyond what was written: ids are the child's sequence, no duplicates.
  expect(stored.size).toBeGreaterThanOrEqual(acked.length);
  expect([...stored].every((id) => /^run1-\d+$/.test(id))).toBe(true);
});

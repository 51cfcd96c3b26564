// Shared setup for outbox tests: a real SQLite file in a fresh temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { OutboxMessage } from "../../../agent/controllers/deps.ts";

/** A fresh temp directory and a cleanup function. */
export function tempDir(prefix = "foyer-outbox-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A valid track message with the given id. */
export function trackMessage(messageId: string, event = "WiFi Session Started"): OutboxMessage {
  return {
    type: "track",
    messageId,
    event,
    anonymousId: "h".repeat(64),
    timestamp: "2026-01-01T00:00:00.000Z",
  };
}

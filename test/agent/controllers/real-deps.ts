// Real dependencies for controller tests: the core's SQLite outbox in a temp dir and its MAC
// hashing, plus counters and a log that record what they were given.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { InputDeps, OutboxClass, OutboxMessage } from "../../../agent/controllers/deps.ts";
import { macIdentifier } from "../../../agent/mac/hash.ts";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";

export const VENUE_KEY = "test-venue-key-0123456789";

export interface RecordedDeps extends InputDeps {
  counters: Map<string, number>;
  logLines: string[];
  /** Everything in the outbox, in append order. */
  stored(): { message: OutboxMessage; cls: OutboxClass }[];
  setNow(iso: string): void;
  close(): void;
}

/** InputDeps over a real on-disk outbox. `failAppend` makes append throw (a full disk, say). */
export function realDeps(options: { failAppend?: boolean } = {}): RecordedDeps {
  const dir = mkdtempSync(path.join(tmpdir(), "foyer-ctrl-"));
  const db = openAgentDatabase(path.join(dir, "agent.db"));
  const outbox = new Outbox(db, { maxRows: 100_000, leaseMs: 0 });
  const counters = new Map<string, number>();
  const logLines: string[] = [];
  let now = new Date("2025-07-31T07:00:00Z");
  const line = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    logLines.push(JSON.stringify({ level, msg, ...fields }));
  };
  return {
    identifyMac: macIdentifier(VENUE_KEY),
    append(messages, cls) {
      if (options.failAppend === true) throw new Error("disk full");
      outbox.append(messages, cls);
    },
    count(counter, by = 1) {
      counters.set(counter, (counters.get(counter) ?? 0) + by);
    },
    now: () => now,
    log: { info: line("info"), warn: line("warn"), error: line("error") },
    counters,
    logLines,
    stored: () => outbox.lease(100_000).map((item) => ({ message: item.message, cls: item.cls })),
    setNow(iso) {
      now = new Date(iso);
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fixture file's text from test/fixtures. */
export function fixture(name: string): string {
  return readFileSync(path.join(import.meta.dirname, "../../fixtures", name), "utf8");
}

/** Raw MACs (any case or separator) that appear in a serialized value: must be none. */
export function rawMacsIn(value: unknown): string[] {
  const text = JSON.stringify(value);
  return text.match(/\b[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}\b/gi) ?? [];
}

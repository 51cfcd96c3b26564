import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { OutboxClass, OutboxMessage } from "../../../agent/controllers/deps.ts";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { GroupCommit } from "../../../agent/outbox/group-commit.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { OutboxValidationError } from "../../../agent/outbox/validate.ts";
import { tempDir, trackMessage } from "./outbox-fixture.ts";

/** A real outbox that counts its transactions. */
class CountingOutbox extends Outbox {
  transactions = 0;
  override appendGroups(
    groups: readonly { messages: readonly OutboxMessage[]; cls: OutboxClass }[],
  ): number {
    this.transactions++;
    return super.appendGroups(groups);
  }
}

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir("foyer-group-")));
afterEach(() => cleanup());

it("commits the appends of one event-loop turn in one transaction, then resolves each", async () => {
  const db = openAgentDatabase(path.join(dir, "a.sqlite"));
  const outbox = new CountingOutbox(db, { maxRows: 1000 });
  let notified = 0;
  const group = new GroupCommit(outbox, () => notified++);
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => group.append([trackMessage(`m${i}`)], "session")),
  );
  expect(outbox.transactions).toBe(1);
  expect(notified).toBe(1);
  expect(outbox.stats().depth).toBe(50);
  await group.append([trackMessage("later")], "login");
  expect(outbox.transactions).toBe(2);
});

it("rejects a malformed message alone and a storage failure for the whole turn", async () => {
  const db = openAgentDatabase(path.join(dir, "b.sqlite"));
  const outbox = new Outbox(db, { maxRows: 1000 });
  const group = new GroupCommit(outbox);
  const bad = group.append([{ ...trackMessage("bad"), messageId: "" }], "session");
  const good = group.append([trackMessage("good")], "session");
  await expect(bad).rejects.toBeInstanceOf(OutboxValidationError);
  await expect(good).resolves.toBeUndefined();
  db.close();
  const results = await Promise.allSettled([
    group.append([trackMessage("x")], "session"),
    group.append([trackMessage("y")], "session"),
  ]);
  expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
});

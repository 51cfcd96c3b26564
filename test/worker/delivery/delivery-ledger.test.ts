// The destination ledger's queue: due keys in queue order read from an index (no sort of the
// backlog per pick), and a key picked ahead re-read at its turn.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { destinationObject } from "../../../worker/delivery/delivery-consumer.ts";
import { DeliveryLedger, keyText } from "../../../worker/delivery/delivery-ledger.ts";

const accepted = (messageId: string, sourceId = "src") => ({
  messageId,
  body: JSON.stringify({ messageId }),
  original: JSON.stringify({ messageId }),
  configVersion: 1,
  originAt: null,
  sourceId,
  dropped: [],
  allowReason: "TEST",
});

describe("the ledger's queue", () => {
  it("gives due keys soonest first, skipping taken ones, and re-reads a key at its turn", async () => {
    await runInDurableObject(destinationObject(env, "ledger-queue"), (_i, state) => {
      const ledger = new DeliveryLedger(state.storage.sql);
      for (const [i, id] of ["m-a", "m-b", "m-c", "m-d"].entries())
        ledger.accept(accepted(id), 1_000 + i);
      ledger.retrying({ sourceId: "src", messageId: "m-a" }, 1, "503", 60, 1_010);
      const ids = (keys: { messageId: string }[]) => keys.map((k) => k.messageId);
      expect(ids(ledger.dueKeys(2_000, new Set(), 10))).toEqual(["m-b", "m-c", "m-d"]);
      expect(
        ids(ledger.dueKeys(2_000, new Set([keyText({ sourceId: "src", messageId: "m-b" })]), 1)),
      ).toEqual(["m-c"]);
      expect(ids(ledger.dueKeys(1_010 + 60_000, new Set(), 10))).toEqual([
        "m-b",
        "m-c",
        "m-d",
        "m-a",
      ]);

      const c = { sourceId: "src", messageId: "m-c" };
      expect(ledger.waiting(c, 2_000)?.message_id).toBe("m-c");
      ledger.delivered(c, 1, 5, 2_001);
      expect(ledger.waiting(c, 2_002)).toBeUndefined();
      expect(ledger.waiting({ sourceId: "src", messageId: "m-a" }, 2_000)).toBeUndefined();
      expect(ledger.nextDueAt()).toBe(1_001);

      const plan = state.storage.sql
        .exec<{ detail: string }>(
          `EXPLAIN QUERY PLAN SELECT source_id, message_id FROM deliveries
           WHERE +status IN ('pending', 'retrying') AND next_attempt_at <= 1
           ORDER BY next_attempt_at, message_id LIMIT 1`,
        )
        .toArray()
        .map((r) => r.detail);
      expect(plan.join(" | ")).toContain("deliveries_waiting");
      expect(plan.join(" | ")).not.toContain("TEMP B-TREE");
    });
  });
});

// The dispatcher of a destination's queue (DestinationObject): DISPATCH_CONCURRENCY lanes, each
// taking the next due rows of the ledger that are not already in flight (one, or up to the
// destination's batch size when its vendor takes batches), until none is due or the drain's budget
// is spent; then the alarm is set for the next due row (at once if rows are still due). One drain
// runs at a time; a kick during a drain makes it look once more.
import type { DeliveryResult } from "../destinations/index.ts";
import type { DestinationConfig } from "./destination-config.ts";
import {
  keyText,
  rowKey,
  type DeliveryLedger,
  type LedgerKey,
  type LedgerRow,
} from "./delivery-ledger.ts";

/**
 * Sends in flight per destination. Workers allow six simultaneous outgoing connections per
 * invocation (https://developers.cloudflare.com/workers/platform/limits/#simultaneous-open-connections);
 * more would only wait inside the runtime.
 */
export const DISPATCH_CONCURRENCY = 6;
/**
 * While events wait, an alarm is always set at most this far ahead, so a Durable Object stopped
 * mid-send (deploy, crash) picks its queue up again without a new event to wake it. Mere idleness
 * does not stop it: from compatibility date 2026-10-01 a promise in `ctx.waitUntil` (the
 * dispatcher) keeps the object running (https://developers.cloudflare.com/changelog/post/2026-10-01-pending-io-keep-alive/).
 */
const WATCHDOG_MS = 60_000;
/** One drain's budget; the alarm it leaves set at once continues the backlog. */
const MAX_DRAIN_MS = 5 * 60 * 1000;
/** Due keys read from the ledger at a time (at least); the lanes take them from there. */
const PICK_BATCH = 32;
/**
 * Stored bytes one batch carries at most, whatever the batch size: vendors cap request bodies
 * (Mixpanel's Import at 10 MB, many webhook receivers at 1 MB), and a batch is held in memory.
 */
export const MAX_BATCH_BYTES = 1_000_000;

/** What the dispatcher needs from its Durable Object. */
export interface DispatchHost {
  readonly ctx: DurableObjectState;
  readonly ledger: DeliveryLedger;
  config(): DestinationConfig | undefined;
  /** Events one attempt may carry under this configuration (1 unless the vendor takes batches). */
  batchSize(config: DestinationConfig): number;
  /** One attempt at some rows (one request, or one batch); it records their outcomes. */
  attempt(config: DestinationConfig, rows: LedgerRow[]): Promise<void>;
  /** Records an attempt that threw before recording its outcome. */
  settleFailure(rows: LedgerRow[], result: DeliveryResult): void;
}

export class Dispatcher {
  private readonly host: DispatchHost;
  /** Keys picked from the ledger and not yet settled: waiting in `picked` or being sent. */
  private readonly inFlight = new Set<string>();
  /** Due keys read ahead (PICK_BATCH at a time), in queue order. */
  private readonly picked: LedgerKey[] = [];
  private draining: Promise<void> | undefined;
  private drainAgain = false;

  constructor(host: DispatchHost) {
    this.host = host;
  }

  /** Starts the dispatcher unless it runs; if it runs, it looks for due events once more. */
  kick(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.host.ctx.waitUntil(this.drain());
  }

  /**
   * Sends due events, DISPATCH_CONCURRENCY at a time, for at most MAX_DRAIN_MS (an alarm handler
   * has 15 minutes), then sets the alarm: at once if events are still due, else for the next one.
   */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      const deadline = Date.now() + MAX_DRAIN_MS;
      try {
        do {
          this.drainAgain = false;
          await Promise.all(
            Array.from({ length: DISPATCH_CONCURRENCY }, () => this.dispatch(deadline)),
          );
        } while (this.drainAgain && Date.now() < deadline);
      } catch (error) {
        console.error("destination dispatcher stopped", { error: String(error) });
      } finally {
        // Keys read ahead and not sent go back to the ledger's queue (they never left it).
        for (const key of this.picked.splice(0)) this.inFlight.delete(keyText(key));
        this.draining = undefined;
        await this.scheduleNext().catch((error: unknown) => {
          console.error("destination alarm not set", { error: String(error) });
        });
      }
    })();
    return this.draining;
  }

  /** The next due key not in flight, reading ahead (at least PICK_BATCH) when none is left. */
  private next(now: number, wanted: number): LedgerKey | undefined {
    if (this.picked.length === 0)
      for (const key of this.host.ledger.dueKeys(
        now,
        this.inFlight,
        Math.max(PICK_BATCH, wanted),
      )) {
        this.inFlight.add(keyText(key));
        this.picked.push(key);
      }
    return this.picked.shift();
  }

  /**
   * The rows of one attempt: up to `size` due rows (and MAX_BATCH_BYTES of stored bodies), read
   * when the attempt is about to be made (one statement for the keys taken), since what was picked
   * ahead may have been erased, replayed or rejudged meanwhile.
   */
  private take(now: number, size: number): LedgerRow[] {
    const rows: LedgerRow[] = [];
    let bytes = 0;
    while (rows.length < size) {
      const keys: LedgerKey[] = [];
      for (let key; keys.length < size - rows.length && (key = this.next(now, size - rows.length));)
        keys.push(key);
      if (keys.length === 0) break;
      const found = this.host.ledger.waitingRows(keys, now);
      for (const [i, key] of keys.entries()) {
        const row = found.get(keyText(key));
        if (!row) {
          this.inFlight.delete(keyText(key));
          continue;
        }
        rows.push(row);
        bytes += row.body?.length ?? 0;
        if (bytes >= MAX_BATCH_BYTES) {
          // Keys read and not taken go back to the front of the read-ahead, still in flight.
          this.picked.unshift(...keys.slice(i + 1));
          return rows;
        }
      }
    }
    return rows;
  }

  /** One dispatch lane: takes the next due events not already in flight, until none is due. */
  private async dispatch(deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      const config = this.host.config();
      if (!config?.enabled) return;
      const rows = this.take(Date.now(), Math.max(1, this.host.batchSize(config)));
      if (rows.length === 0) return;
      try {
        await this.host.attempt(config, rows);
      } catch (error) {
        // A bug or a storage fault, not the vendor: retried on the same schedule, never spun on.
        this.host.settleFailure(rows, {
          status: "retry",
          httpStatus: null,
          error: `EINTERNAL: ${error instanceof Error ? error.name : "unknown"}`,
        });
      } finally {
        for (const row of rows) this.inFlight.delete(keyText(rowKey(row)));
      }
    }
  }

  private async scheduleNext(): Promise<void> {
    const next = this.host.ledger.nextDueAt();
    if (next === undefined || !this.host.config()?.enabled)
      await this.host.ctx.storage.deleteAlarm();
    else await this.host.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }

  async armWatchdog(now: number): Promise<void> {
    const current = await this.host.ctx.storage.getAlarm();
    if (current === null || current > now + WATCHDOG_MS)
      await this.host.ctx.storage.setAlarm(now + WATCHDOG_MS);
  }
}

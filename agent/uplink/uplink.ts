// Drains the outbox to the edge's `/v1/batch` (Segment batch API) with the venue source's write
// key. At-least-once: a batch is acked only after the edge's 200, and messageIds come from the
// outbox unchanged, so a resend after a crash is a repeat the edge drops (invariant 2).
import type { AgentLog } from "../controllers/deps.ts";
import type { LeasedItem, Outbox } from "../outbox/outbox.ts";
import { backoffDelay, type BackoffPolicy } from "./backoff.ts";
import { classifyBatchResponse, type BatchOutcome } from "./outcome.ts";

export interface UplinkResult {
  at: string;
  ok: boolean;
  /** HTTP status, or null for a network error. */
  status: number | null;
  sent: number;
  delivered: number;
  parked: number;
  /** Error code from the edge, or the network error's name. */
  code?: string;
}

export interface UplinkOptions {
  /** Edge base URL, e.g. `https://edge.example.com`; `/v1/batch` is appended. */
  edgeUrl: string;
  writeKey: string;
  batchSize?: number;
  /** Body size bound: Segment's batch API accepts up to 500 KB per request. */
  maxBatchBytes?: number;
  backoff?: BackoffPolicy;
  requestTimeoutMs?: number;
  /** How long to wait for new appends when the outbox is empty (a `notify()` ends it early). */
  idleMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  log: AgentLog;
  /** Called after every attempt (e.g. to persist the last result for `agent status`). */
  onResult?: (result: UplinkResult) => void;
}

export type UplinkState = "idle" | "running" | "stopped" | "unauthorized";

/** The outbox drainer; `start()` runs until `stop()` or a 401/403 from the edge. */
export class Uplink {
  readonly #outbox: Outbox;
  readonly #o: Required<Omit<UplinkOptions, "onResult">> & Pick<UplinkOptions, "onResult">;
  #state: UplinkState = "idle";
  #failures = 0;
  #wake: (() => void) | null = null;
  #backingOff = false;
  #loop: Promise<void> | null = null;
  lastResult: UplinkResult | null = null;

  constructor(outbox: Outbox, options: UplinkOptions) {
    this.#outbox = outbox;
    this.#o = {
      batchSize: 100,
      maxBatchBytes: 450_000,
      backoff: { baseMs: 500, capMs: 5 * 60_000 },
      requestTimeoutMs: 30_000,
      idleMs: 1_000,
      fetch: globalThis.fetch.bind(globalThis),
      // Unref'd: a pending backoff must not keep a stopping process alive.
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
      now: Date.now,
      random: Math.random,
      ...options,
    };
  }

  get state(): UplinkState {
    return this.#state;
  }

  /** Starts the drain loop in the background. */
  start(): void {
    if (this.#loop) return;
    this.#state = "running";
    this.#loop = this.#run();
  }

  /** Stops after the in-flight request (its batch stays leased and is resent after restart). */
  async stop(): Promise<void> {
    if (this.#state === "running") this.#state = "stopped";
    this.#wake?.();
    await this.#loop;
    this.#loop = null;
  }

  /**
   * Wakes a loop that is idle because the outbox was empty (called after an append). A loop backing
   * off after a failed attempt is left alone: waking it on every append during an edge outage
   * would retry per packet and run the backoff up to its cap.
   */
  notify(): void {
    if (!this.#backingOff) this.#wake?.();
  }

  async #run(): Promise<void> {
    while (this.#state === "running") {
      const sent = await this.drainOnce();
      if (this.#state !== "running") break;
      if (sent.outcome === "empty") await this.#idle(this.#o.idleMs);
      else if (sent.outcome === "retry") {
        this.#backingOff = true;
        await this.#idle(sent.delayMs);
        this.#backingOff = false;
      }
    }
  }

  #idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.#wake = null;
        resolve();
      };
      this.#wake = finish;
      void this.#o.sleep(ms).then(finish);
    });
  }

  /**
   * Sends one batch and applies the edge's answer to the outbox.
   * @returns what happened and, for a retry, how long to wait before the next attempt.
   */
  async drainOnce(): Promise<{
    outcome: "empty" | "sent" | "retry" | "unauthorized";
    delayMs: number;
  }> {
    const items = this.#withinByteBound(this.#outbox.lease(this.#o.batchSize));
    if (items.length === 0) return { outcome: "empty", delayMs: 0 };
    const { status, outcome } = await this.#post(items);
    return this.#apply(items, status, outcome);
  }

  /** Keeps the longest prefix under maxBatchBytes (at least one item); releases the rest. */
  #withinByteBound(items: LeasedItem[]): LeasedItem[] {
    let bytes = 0;
    const keep = items.findIndex((item, index) => {
      bytes += Buffer.byteLength(JSON.stringify(item.message)) + 1;
      return index > 0 && bytes > this.#o.maxBatchBytes;
    });
    if (keep < 0) return items;
    this.#outbox.release(items.slice(keep).map((i) => i.id));
    return items.slice(0, keep);
  }

  async #post(items: LeasedItem[]): Promise<{ status: number | null; outcome: BatchOutcome }> {
    const body = JSON.stringify({
      batch: items.map((i) => i.message),
      sentAt: new Date(this.#o.now()).toISOString(),
    });
    try {
      const res = await this.#o.fetch(new URL("/v1/batch", this.#o.edgeUrl), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${this.#o.writeKey}:`).toString("base64")}`,
        },
        body,
        signal: AbortSignal.timeout(this.#o.requestTimeoutMs),
      });
      const text = await res.text();
      return {
        status: res.status,
        outcome: classifyBatchResponse(
          res.status,
          text,
          res.headers.get("retry-after"),
          this.#o.now(),
        ),
      };
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.name
            : error.name
          : "error";
      return { status: null, outcome: { kind: "retry", reason, retryAfterMs: null } };
    }
  }

  #apply(
    items: LeasedItem[],
    status: number | null,
    outcome: BatchOutcome,
  ): { outcome: "sent" | "retry" | "unauthorized"; delayMs: number } {
    const ids = items.map((i) => i.id);
    let delivered = 0;
    let parked = 0;
    let result: { outcome: "sent" | "retry" | "unauthorized"; delayMs: number };
    if (outcome.kind === "delivered") {
      const rejected = new Map(outcome.rejected.map((r) => [r.index, r]));
      for (const [index, r] of rejected) {
        const item = items[index];
        if (!item) continue;
        this.#outbox.park(item.id, [r.code, r.field, r.message].filter(Boolean).join(": "));
        parked++;
      }
      const ok = items.filter((_, index) => !rejected.has(index)).map((i) => i.id);
      this.#outbox.ack(ok);
      delivered = ok.length;
      this.#failures = 0;
      result = { outcome: "sent", delayMs: 0 };
    } else if (outcome.kind === "rejected") {
      for (const id of ids) this.#outbox.park(id, `${outcome.code}: ${outcome.message}`);
      parked = ids.length;
      this.#failures = 0;
      result = { outcome: "sent", delayMs: 0 };
    } else if (outcome.kind === "unauthorized") {
      this.#outbox.release(ids);
      this.#state = "unauthorized";
      result = { outcome: "unauthorized", delayMs: 0 };
    } else {
      this.#outbox.release(ids);
      const delay = backoffDelay(this.#failures++, this.#o.backoff, this.#o.random);
      result = { outcome: "retry", delayMs: Math.max(delay, outcome.retryAfterMs ?? 0) };
    }
    this.#record(items.length, status, outcome, delivered, parked);
    return result;
  }

  #record(
    sent: number,
    status: number | null,
    outcome: BatchOutcome,
    delivered: number,
    parked: number,
  ): void {
    const code =
      outcome.kind === "retry"
        ? outcome.reason
        : outcome.kind === "delivered"
          ? undefined
          : outcome.code;
    const ok = outcome.kind === "delivered";
    this.lastResult = {
      at: new Date(this.#o.now()).toISOString(),
      ok,
      status,
      sent,
      delivered,
      parked,
      ...(code ? { code } : {}),
    };
    const fields = { status, sent, delivered, parked, code };
    if (outcome.kind === "unauthorized")
      this.#o.log.error("uplink stopped: the edge refused the write key", fields);
    else if (!ok) this.#o.log.warn("uplink batch not delivered", fields);
    else if (parked > 0) this.#o.log.warn("uplink items rejected by the edge and parked", fields);
    this.#o.onResult?.(this.lastResult);
  }
}

// DestinationObject: one Durable Object per configured destination, and that destination's own
// queue. The delivery Queue's consumer hands it events (`accept`): it judges each at once (consent,
// integrations object, filters, subscription, PII form), stores the ones to send in its ledger and
// answers, so the consumer acks in milliseconds whatever the vendor is doing. It then sends them
// itself (dispatcher.ts: at most six at a time), retries on its own schedule (Durable Object
// alarms, Foyer's 4-hour policy in destinations/retry.ts) and dead-letters what cannot go. A slow,
// hanging or failing vendor therefore only ever delays its own destination: Segment's per-
// destination queues (Centrifuge), built from a Durable Object instead of a Queue per destination.
// The rules are pure (destination-judge.ts, destinations/retry.ts); this class carries data to them
// and persists what they return.
import { meterEnv, meterStorage } from "../platform/index.ts";
import { DurableObject } from "cloudflare:workers";
import {
  destinationAdapter,
  type DeliveryResult,
  decideNextStep,
  addressPolicyOf,
} from "../destinations/index.ts";
import type { NormalizedMessage } from "../message/index.ts";
import type { DestinationConfig } from "./destination-config.ts";
import { lineageEntry } from "./lineage/ledger-lineage.ts";
import { judgeEvent, refusalReason, type Judgement } from "./destination-judge.ts";
import {
  DeliveryLedger,
  keyText,
  rowKey,
  type LedgerKey,
  type LedgerRow,
} from "./delivery-ledger.ts";
import { buildOverview, type DeliveryOverview } from "./lineage/overview.ts";
import { Dispatcher } from "./dispatcher.ts";
import { egressFetch } from "./egress.ts";

/** One event handed to the destination by the delivery Queue. */
export interface HandedEvent {
  message: NormalizedMessage;
  sourceId: string;
}

/** What `accept` did with a batch of handed events. */
export interface AcceptOutcome {
  queued: number;
  filtered: number;
  /** Events the destination already had (a redelivered Queue message): nothing changed. */
  repeats: number;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

export class DestinationObject extends DurableObject<Env> {
  private readonly ledger: DeliveryLedger;
  private readonly dispatcher: Dispatcher;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
    meterStorage(env, ctx.storage, "DestinationObject");
    this.ledger = new DeliveryLedger(ctx.storage.sql);
    // Closures, not `this`: the object's public methods are its RPC surface.
    this.dispatcher = new Dispatcher({
      ctx,
      ledger: this.ledger,
      config: () => this.config(),
      batchSize: (config) => batchSizeOf(config),
      attempt: (config, rows) => this.attempt(config, rows),
      settleFailure: (rows, result) => this.settleFailure(rows, result),
    });
  }

  /** The parsed configuration, read from storage once per change (every send asks for it). */
  private cachedConfig: { value: DestinationConfig | undefined } | undefined;

  private config(): DestinationConfig | undefined {
    if (this.cachedConfig === undefined) {
      const text = this.ctx.storage.kv.get<string>("config");
      this.cachedConfig = {
        value: text === undefined ? undefined : (JSON.parse(text) as DestinationConfig),
      };
    }
    return this.cachedConfig.value;
  }

  /** Stores the (validated) configuration as JSON text; waiting events go out if it is enabled. */
  configure(configJson: string): void {
    this.ctx.storage.kv.put("config", configJson);
    this.cachedConfig = undefined;
    this.dispatcher.kick();
  }

  /** The stored configuration as JSON text, or null once deleted. */
  configuration(): string | null {
    return this.ctx.storage.kv.get<string>("config") ?? null;
  }

  /**
   * Deletes the destination: its configuration, its waiting events and dead letters (they hold
   * event bodies, which no deletion request could reach once the destination is gone) and its
   * alarm. Events handed to it later are dropped uncounted.
   */
  async remove(): Promise<void> {
    this.ctx.storage.kv.delete("config");
    this.cachedConfig = undefined;
    this.ledger.clear();
    await this.ctx.storage.deleteAlarm();
  }

  /**
   * Takes events from the delivery Queue: judged and stored before this returns (so the Queue
   * message can be acked), sent afterwards by the dispatcher.
   */
  async accept(eventsJson: string): Promise<AcceptOutcome> {
    const outcome: AcceptOutcome = { queued: 0, filtered: 0, repeats: 0 };
    const config = this.config();
    if (!config?.enabled) return outcome;
    const now = Date.now();
    this.maybePrune(now);
    const handed = JSON.parse(eventsJson) as HandedEvent[];
    // The rows the ledger has already, read in one statement; a bundle's own repeats join them.
    const seen = this.ledger.present(
      handed.map(({ message, sourceId }) => ({ sourceId, messageId: message.messageId })),
    );
    for (const { message, sourceId } of handed) {
      const ledgerKey = { sourceId, messageId: message.messageId };
      const text = keyText(ledgerKey);
      if (seen.has(text)) {
        outcome.repeats += 1;
        continue;
      }
      seen.add(text);
      const judged = await judgeEvent(config, message);
      if (!judged.deliver) {
        if (this.refuse(ledgerKey, judged, now)) outcome.filtered += 1;
        continue;
      }
      const originAt = Date.parse(message.receivedAt);
      const stored = this.ledger.accept(
        {
          messageId: message.messageId,
          body: JSON.stringify(judged.event),
          original: JSON.stringify(message),
          configVersion: config.version,
          originAt: Number.isNaN(originAt) ? null : originAt,
          sourceId,
          dropped: judged.droppedFields,
          allowReason: judged.allowReason,
        },
        now,
      );
      if (stored) outcome.queued += 1;
    }
    if (outcome.queued > 0) {
      await this.dispatcher.armWatchdog(now);
      this.dispatcher.kick();
    }
    return outcome;
  }

  /** The alarm: the retry schedule, and the watchdog after an eviction. */
  override async alarm(): Promise<void> {
    await this.dispatcher.drain();
  }

  /** Records the destination's refusal of an event in the ledger (its lineage); false for a repeat. */
  private refuse(
    ledgerKey: LedgerKey,
    judged: Extract<Judgement, { deliver: false }>,
    now: number,
  ): boolean {
    const { reason, detail, missingCategories } = judged;
    return this.ledger.filtered(ledgerKey, reason, detail, now, missingCategories);
  }

  /**
   * The form to send now. An event judged under an older configuration (an admin changed consent
   * categories, filters, the subscription or the PII policy while it waited) is judged again from
   * the event as delivery received it, as the Queue's retries did before this object held them.
   * Returns undefined when the new configuration refuses it (recorded as filtered).
   */
  private async currentForm(config: DestinationConfig, row: LedgerRow) {
    if (row.config_version === config.version || row.original === null)
      return {
        body: row.body!,
        dropped: row.dropped === null ? [] : (JSON.parse(row.dropped) as string[]),
        allowReason: row.allow_reason ?? "ALLOWED",
      };
    const judged = await judgeEvent(config, JSON.parse(row.original) as NormalizedMessage);
    if (!judged.deliver) {
      this.refuse(rowKey(row), judged, Date.now());
      return undefined;
    }
    const body = JSON.stringify(judged.event);
    this.ledger.rejudged(
      rowKey(row),
      body,
      judged.droppedFields,
      judged.allowReason,
      config.version,
    );
    return { body, dropped: judged.droppedFields, allowReason: judged.allowReason };
  }

  /** Records a failed attempt that never reached `attempt`'s bookkeeping: retry or dead letter. */
  private settleFailure(rows: LedgerRow[], result: DeliveryResult): void {
    const now = Date.now();
    for (const row of rows) {
      // If the attempt got as far as recording its outcome, that outcome stands.
      const current = this.ledger.get(rowKey(row));
      if (current?.status !== row.status || current.attempts !== row.attempts) continue;
      this.settle(row, result, now);
    }
  }

  /**
   * Writes what an attempt that ended with `result` means: delivered, retry later, or dead letter.
   * With `delivered`, a delivery is added there for the caller to write with the others at once.
   */
  private settle(row: LedgerRow, result: DeliveryResult, now: number, delivered?: LedgerKey[]) {
    const id = rowKey(row);
    const attempts = row.attempts + 1;
    const step = decideNextStep({
      result,
      attempts,
      firstAttemptAt: row.window_start ?? row.received_at,
      now,
      random: Math.random(),
    });
    const error = result.error ?? `HTTP ${result.httpStatus ?? "none"}`;
    const latencyMs = row.origin_at === null ? null : Math.max(0, now - row.origin_at);
    if (step.action === "done" && delivered) delivered.push(id);
    else if (step.action === "done") this.ledger.delivered(id, attempts, latencyMs, now);
    else if (step.action === "retry")
      this.ledger.retrying(id, attempts, error, step.delaySeconds, now);
    else this.ledger.deadLetter(id, attempts, step.reason, error, now);
    return { step, attempts, error };
  }

  /**
   * One attempt at stored events: one request (or one batch, where the vendor takes batches), then
   * every outcome recorded in one transaction: done, retry later, dead letter, or refused.
   */
  private async attempt(config: DestinationConfig, rows: LedgerRow[]): Promise<void> {
    const adapter = destinationAdapter(config.slug);
    const ready: { row: LedgerRow; dropped: readonly string[]; event: NormalizedMessage }[] = [];
    for (const row of rows) {
      if (!adapter || row.body === null) {
        // Nothing can be sent; the row must still leave the queue, or a lane would pick it forever.
        const why = adapter ? "no stored event" : `no adapter for ${config.slug}`;
        this.ledger.deadLetter(rowKey(row), row.attempts, "permanent failure", why, Date.now());
        continue;
      }
      const form = await this.currentForm(config, row);
      if (form)
        ready.push({
          row,
          dropped: form.dropped,
          event: JSON.parse(form.body) as NormalizedMessage,
        });
    }
    if (!adapter || ready.length === 0) return;
    const ctx = { fetch: egressFetch, addressPolicy: addressPolicyOf(this.env) };
    const events = ready.map((r) => r.event);
    const results =
      events.length > 1 && adapter.sendBatch
        ? await adapter.sendBatch(events, config.settings, ctx)
        : await Promise.all(events.map((event) => adapter.send(event, config.settings, ctx)));
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      const delivered: LedgerKey[] = [];
      ready.forEach(({ row, dropped }, index) => {
        const result = results[index] ?? {
          status: "retry",
          httpStatus: null,
          error: "EINTERNAL: the adapter gave no result for this event",
        };
        const refused =
          result.httpStatus === null ? refusalReason(result.error, dropped) : undefined;
        if (result.status === "failed" && refused)
          this.ledger.filtered(rowKey(row), refused, result.error, now);
        else this.settle(row, result, now, delivered);
      });
      this.ledger.deliveredMany(delivered, now);
    });
  }

  /**
   * What this destination did with one event, for the lineage API (worker/admin/lineage.ts), as
   * JSON text; null when it never saw the event (or its row was pruned or erased).
   */
  lineage(sourceId: string, messageId: string): string | null {
    const config = this.config();
    const row = this.ledger.get({ sourceId, messageId });
    if (!config || !row) return null;
    return JSON.stringify(lineageEntry(config, row));
  }

  overview(): DeliveryOverview {
    return buildOverview(this.ledger.counts(), this.ledger.retries(), this.ledger.latencies());
  }

  /** The dead-letter store, oldest first, as JSON text (each with the event as it would be sent). */
  deadLetters(limit: number): string {
    return JSON.stringify(this.ledger.deadLetters(limit).map(deadLetterJson));
  }

  /**
   * Where one event stands at this destination (the lineage view), as JSON text; null if never
   * seen. Without `sourceId`, the first source's row for that messageId.
   */
  eventStatus(messageId: string, sourceId: string | null = null): string | null {
    const row =
      sourceId === null
        ? this.ledger.byMessageId(messageId, 1)[0]
        : this.ledger.get({ sourceId, messageId });
    if (!row) return null;
    return JSON.stringify({
      messageId: row.message_id,
      sourceId: row.source_id === "" ? null : row.source_id,
      status: row.status,
      reason: row.reason,
      error: row.error,
      attempts: row.attempts,
      receivedAt: new Date(row.received_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      nextAttemptAt:
        row.status === "retrying" && row.next_attempt_at !== null
          ? new Date(row.next_attempt_at).toISOString()
          : null,
      latencyMs: row.latency_ms,
    });
  }

  /** Releases dead letters (all, or the listed messageIds) for replay and sends them; returns their ids. */
  async releaseForReplay(messageIds: string[] | null): Promise<string[]> {
    const now = Date.now();
    const released = this.ledger.releaseForReplay(messageIds ?? undefined, now);
    if (released.length > 0) {
      await this.dispatcher.armWatchdog(now);
      this.dispatcher.kick();
    }
    return released;
  }

  /** Deletion: erases the person's events from the ledger, waiting and dead-lettered ones included. */
  forgetSubject(subjectJson: string): number {
    const { messageIds, userIds, anonymousIds } = JSON.parse(subjectJson) as {
      messageIds: string[];
      userIds: string[];
      anonymousIds: string[];
    };
    return this.ledger.forget(messageIds, userIds, anonymousIds);
  }

  private maybePrune(now: number): void {
    const last = this.ctx.storage.kv.get<number>("prunedAt") ?? 0;
    if (now - last < PRUNE_EVERY_MS) return;
    this.ledger.prune(now);
    this.ctx.storage.kv.put("prunedAt", now);
  }
}

/** Events one attempt may carry at this destination: the adapter's batch size, else 1. */
function batchSizeOf(config: DestinationConfig): number {
  const adapter = destinationAdapter(config.slug);
  return adapter?.batchSize?.(config.settings) ?? 1;
}

function deadLetterJson(row: LedgerRow) {
  return {
    messageId: row.message_id,
    reason: row.reason,
    error: row.error,
    attempts: row.attempts,
    receivedAt: new Date(row.received_at).toISOString(),
    failedAt: new Date(row.updated_at).toISOString(),
    event: row.body === null ? null : (JSON.parse(row.body) as unknown),
  };
}

// DestinationObject: one Durable Object per configured destination. It owns the destination's
// configuration, its delivery ledger (received / filtered / delivered / retrying / failed), its
// dead-letter store and latency samples. The rules it applies are pure (destination-judge.ts,
// destinations/retry.ts); this class only carries data to them and persists what they return.
import { DurableObject } from "cloudflare:workers";
import { destinationAdapter } from "../destinations/catalog.ts";
import { decideNextStep } from "../destinations/retry.ts";
import type { NormalizedMessage } from "../spec/message.ts";
import type { DestinationConfig } from "./destination-config.ts";
import { recordLineage, type LineageKey } from "./decision-lineage.ts";
import { judgeEvent, refusalReason } from "./destination-judge.ts";
import { DeliveryLedger, type LedgerRow } from "./delivery-ledger.ts";
import { buildOverview, type DeliveryOverview } from "./delivery-overview.ts";
import { egressFetch } from "./egress.ts";

/** What the queue consumer does with the message after this attempt. */
export type DeliveryVerdict = { action: "ack" } | { action: "retry"; delaySeconds: number };

export interface AttemptInfo {
  /** The queue message's id: stable across its retries, so it owns the ledger row. */
  queueMessageId: string;
  /** Attempts including this one (Cloudflare's `message.attempts`). */
  attempts: number;
  /** When the event was handed to delivery (the queue message's timestamp), epoch ms. */
  firstAttemptAt: number;
  /** The event's source, for its lineage record (absent on replays: kept with the dead letter). */
  sourceId?: string;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const FINAL = new Set(["filtered", "delivered", "failed"]);

export class DestinationObject extends DurableObject<Env> {
  private readonly ledger: DeliveryLedger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ledger = new DeliveryLedger(ctx.storage.sql);
  }

  private config(): DestinationConfig | undefined {
    const text = this.ctx.storage.kv.get<string>("config");
    return text === undefined ? undefined : (JSON.parse(text) as DestinationConfig);
  }

  /** Stores the (validated) configuration as JSON text. */
  configure(configJson: string): void {
    this.ctx.storage.kv.put("config", configJson);
  }

  /** The stored configuration as JSON text, or null once deleted. */
  configuration(): string | null {
    return this.ctx.storage.kv.get<string>("config") ?? null;
  }

  /** Forgets the configuration; events still in the queue are then dropped uncounted. */
  remove(): void {
    this.ctx.storage.kv.delete("config");
  }

  /** One attempt at one event: judge, send, record, and say whether the queue should retry. */
  async deliver(messageJson: string, attempt: AttemptInfo): Promise<DeliveryVerdict> {
    const config = this.config();
    if (!config?.enabled) return { action: "ack" };
    const message = JSON.parse(messageJson) as NormalizedMessage;
    const now = Date.now();
    this.maybePrune(now);
    const row = this.ledger.get(message.messageId);
    if (
      row &&
      (FINAL.has(row.status) || (row.owner ?? attempt.queueMessageId) !== attempt.queueMessageId)
    )
      return { action: "ack" }; // a repeat of an event this destination has handled or is handling
    if (!row) this.ledger.receive(message.messageId, attempt.queueMessageId, now);
    const judged = await judgeEvent(config, message);
    const key = attempt.sourceId
      ? { config, sourceId: attempt.sourceId, messageId: message.messageId }
      : undefined;
    if (!judged.deliver) {
      this.ledger.filtered(message.messageId, judged.reason, judged.detail, now);
      if (key) {
        const { reason, detail, missingCategories } = judged;
        await recordLineage(this.env, key, {
          status: "filtered",
          decision: {
            allowed: false,
            reason,
            detail: detail ?? reason,
            ...(missingCategories ? { missingCategories } : {}),
          },
        });
      }
      return { action: "ack" };
    }
    const latencyFrom = Date.parse(message.receivedAt);
    return this.send(config, judged.event, judged.droppedFields, attempt, latencyFrom, {
      key,
      allowReason: judged.allowReason,
    });
  }

  /** One attempt at a dead letter released for replay: sends the stored form, exactly once. */
  async replay(messageId: string, attempt: AttemptInfo): Promise<DeliveryVerdict> {
    const config = this.config();
    const row = this.ledger.get(messageId);
    if (!config?.enabled || !row?.body || row.status !== "retrying") return { action: "ack" };
    if (row.owner === null) this.ledger.claim(messageId, attempt.queueMessageId);
    else if (row.owner !== attempt.queueMessageId) return { action: "ack" };
    const event = JSON.parse(row.body) as NormalizedMessage;
    const sourceId = this.ctx.storage.kv.get<string>(`source:${messageId}`);
    const key = sourceId === undefined ? undefined : { config, sourceId, messageId };
    return this.send(config, event, [], attempt, null, { key, allowReason: "DEAD_LETTER_REPLAY" });
  }

  private async send(
    config: DestinationConfig,
    event: NormalizedMessage,
    droppedFields: readonly string[],
    attempt: AttemptInfo,
    latencyFrom: number | null,
    lineage: { key: LineageKey | undefined; allowReason: string },
  ): Promise<DeliveryVerdict> {
    const adapter = destinationAdapter(config.slug);
    if (!adapter) return { action: "ack" };
    const record = async (outcome: Parameters<typeof recordLineage>[2]) => {
      if (lineage.key) await recordLineage(this.env, lineage.key, outcome);
    };
    const allowed = { allowed: true, reason: lineage.allowReason };
    const result = await adapter.send(event, config.settings, { fetch: egressFetch });
    const now = Date.now();
    const id = event.messageId;
    const refused =
      result.httpStatus === null ? refusalReason(result.error, droppedFields) : undefined;
    if (result.status === "failed" && refused) {
      this.ledger.filtered(id, refused, result.error, now);
      await record({
        status: "filtered",
        decision: { allowed: false, reason: refused, detail: result.error ?? refused },
      });
      return { action: "ack" };
    }
    const step = decideNextStep({
      result,
      attempts: attempt.attempts,
      firstAttemptAt: attempt.firstAttemptAt,
      now,
      random: Math.random(),
    });
    if (step.action === "done") {
      const latency = latencyFrom === null || Number.isNaN(latencyFrom) ? null : now - latencyFrom;
      this.ledger.delivered(
        id,
        attempt.attempts,
        latency === null ? null : Math.max(0, latency),
        now,
      );
      this.ctx.storage.kv.delete(`source:${id}`);
      await record({ status: "delivered", decision: allowed, attempts: attempt.attempts });
      return { action: "ack" };
    }
    const error = result.error ?? `HTTP ${result.httpStatus ?? "none"}`;
    if (step.action === "retry") {
      this.ledger.retrying(id, attempt.attempts, error, step.delaySeconds, now);
      await record({ status: "retrying", decision: allowed, attempts: attempt.attempts, error });
      return { action: "retry", delaySeconds: step.delaySeconds };
    }
    this.ledger.deadLetter(id, attempt.attempts, step.reason, error, JSON.stringify(event), now);
    // Kept with the dead letter so a replay can update the event's lineage.
    if (lineage.key) this.ctx.storage.kv.put(`source:${id}`, lineage.key.sourceId);
    await record({ status: "failed", decision: allowed, attempts: attempt.attempts, error });
    return { action: "ack" };
  }

  overview(): DeliveryOverview {
    return buildOverview(this.ledger.counts(), this.ledger.retries(), this.ledger.latencies());
  }

  /** The dead-letter store, oldest first, as JSON text (each with the event as it would be sent). */
  deadLetters(limit: number): string {
    return JSON.stringify(this.ledger.deadLetters(limit).map(deadLetterJson));
  }

  /** Where one event stands at this destination (the lineage view), as JSON text; null if never seen. */
  eventStatus(messageId: string): string | null {
    const row = this.ledger.get(messageId);
    if (!row) return null;
    return JSON.stringify({
      messageId: row.message_id,
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

  /** Releases dead letters (all, or the listed messageIds) for replay; returns the released ids. */
  releaseForReplay(messageIds: string[] | null): string[] {
    return this.ledger.releaseForReplay(messageIds ?? undefined, Date.now());
  }

  private maybePrune(now: number): void {
    const last = this.ctx.storage.kv.get<number>("prunedAt") ?? 0;
    if (now - last < PRUNE_EVERY_MS) return;
    this.ledger.prune(now);
    this.ctx.storage.kv.put("prunedAt", now);
  }
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

// Records why each destination did or did not get an event, so the lineage API can answer "why
// did destination X not get event Y". Each DestinationObject calls `recordDeliveryDecisions` as it
// settles an event (worker/delivery/lineage/decision-lineage.ts): the privacy decision or the rule that
// filtered it, and what delivery did (delivered / filtered / retrying / failed). A later record of
// the same event replaces the earlier one (a retry that delivers overwrites "retrying";
// idempotent under Queue redelivery).
import type { DeliveryDecision, PiiReportEntry } from "../../gate/index.ts";

/** What delivery did with the event; absent when only the privacy decision is known. */
export type DeliveryStatus = "delivered" | "filtered" | "retrying" | "failed";

/** A decision made after privacy: a destination filter, subscription or vendor refusal. */
export interface RuleDecision {
  allowed: boolean;
  /** Segment's discard reason (FILTERED_BY_RULES, NO_MATCHING_MAPPING, …) or an allow reason. */
  reason: string;
  detail?: string;
  missingCategories?: string[];
}

export interface DecisionRecord {
  /** The destination's name, as in the integrations object and consent mappings. */
  destination: string;
  decision: DeliveryDecision | RuleDecision;
  /** The configured destination (its DestinationObject), when a real destination decided. */
  destinationId?: string;
  status?: DeliveryStatus;
  /** Vendor attempts so far, and the last error (never a secret; no request body). */
  attempts?: number;
  error?: string;
  /** What the PII policy did to each field for this destination (allowed deliveries). */
  fields?: readonly PiiReportEntry[];
}

/** The row one decision is stored as (pure). */
export function decisionRow(record: DecisionRecord) {
  const d = record.decision;
  return {
    destination: record.destination,
    allowed: d.allowed,
    reason: d.reason,
    detail: JSON.stringify({
      ...(d.allowed ? {} : { detail: d.detail, missingCategories: d.missingCategories ?? [] }),
      ...(record.fields ? { fields: record.fields } : {}),
      ...(record.destinationId === undefined ? {} : { destinationId: record.destinationId }),
      ...(record.status === undefined ? {} : { status: record.status }),
      ...(record.attempts === undefined ? {} : { attempts: record.attempts }),
      ...(record.error === undefined ? {} : { error: record.error }),
    }),
  };
}

/** Stores the decisions about one event, one row per destination. */
export async function recordDeliveryDecisions(
  env: Env,
  event: { spaceId: string; sourceId: string; messageId: string },
  records: readonly DecisionRecord[],
  now = Date.now(),
): Promise<void> {
  if (records.length === 0) return;
  const upsert = env.DB.prepare(
    `INSERT INTO delivery_decisions
       (source_id, message_id, destination, space_id, allowed, reason, detail, decided_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source_id, message_id, destination) DO UPDATE SET
       allowed = excluded.allowed, reason = excluded.reason, detail = excluded.detail,
       decided_at = excluded.decided_at`,
  );
  await env.DB.batch(
    records.map((r) => {
      const row = decisionRow(r);
      return upsert.bind(
        event.sourceId,
        event.messageId,
        row.destination,
        event.spaceId,
        row.allowed ? 1 : 0,
        row.reason,
        row.detail,
        now,
      );
    }),
  );
}

// Records why each destination did or did not get an event, so the lineage API can answer "why
// did destination X not get event Y". The delivery side calls `recordDeliveryDecisions` with what
// `decideDelivery` / `destinationForms` (consent.ts, edge-privacy.ts) returned; a re-evaluation of
// the same event replaces the earlier record (idempotent under Queue redelivery).
import type { DeliveryDecision } from "./delivery-decision.ts";
import type { PiiReportEntry } from "./pii-policy.ts";

export interface DecisionRecord {
  destination: string;
  decision: DeliveryDecision;
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

// One destination's lineage entry for one event, read from its ledger row (delivery-ledger.ts): the
// ledger is where the DestinationObject settles every event, so the lineage API answers from what
// really happened without a second record per event and destination. Pure.
import type { DestinationConfig } from "../destination-config.ts";
import type { LedgerRow } from "../delivery-ledger.ts";

export interface LedgerLineageEntry {
  destination: string;
  destinationId: string;
  /** pending | delivered | filtered | retrying | failed */
  status: string;
  allowed: boolean;
  reason: string;
  detail?: string;
  missingCategories?: string[];
  attempts?: number;
  error?: string;
  decidedAt: string;
}

function stringList(text: string | null): string[] {
  if (text === null) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export function lineageEntry(config: DestinationConfig, row: LedgerRow): LedgerLineageEntry {
  const base = {
    destination: config.name,
    destinationId: config.id,
    status: row.status,
    decidedAt: new Date(row.updated_at).toISOString(),
  };
  if (row.status === "filtered") {
    const reason = row.reason ?? "FILTERED";
    return {
      ...base,
      allowed: false,
      reason,
      detail: row.error ?? reason,
      missingCategories: stringList(row.missing),
    };
  }
  const entry: LedgerLineageEntry = {
    ...base,
    allowed: true,
    reason: row.allow_reason ?? "ALLOWED",
    attempts: row.attempts,
  };
  if (row.error !== null && row.status !== "delivered") entry.error = row.error;
  return entry;
}

// The delivery overview of one destination (https://segment.com/docs/connections/delivery-overview/, Delivery Overview / Event Delivery):
// received, filtered with the reason, delivered, pending, retrying, failed (dead-lettered), retries made
// and p95 latency from the edge's receipt to the destination's 2xx. Pure: built from ledger counts.
import { FILTER_GROUP, type FilterReason } from "../destination-judge.ts";
import type { LedgerStatus } from "../delivery-ledger.ts";

export interface DeliveryOverview {
  received: number;
  filtered: { total: number; byReason: Record<string, number>; byGroup: Record<string, number> };
  delivered: number;
  /** Events accepted and waiting for their first attempt (or in flight). */
  pending: number;
  /** Events waiting for a retry, and retries made so far (Segment's "Retry count"). */
  retrying: number;
  retries: number;
  failed: number;
  latencyMs: { p50: number | null; p95: number | null; samples: number };
}

/** Nearest-rank percentile (p in (0, 100]) of unsorted samples; null when there are none. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Folds ledger counts into the overview. `received` counts every event the destination saw. */
export function buildOverview(
  counts: readonly { status: LedgerStatus; reason: string | null; n: number }[],
  retries: number,
  latencies: readonly number[],
): DeliveryOverview {
  const overview: DeliveryOverview = {
    received: 0,
    filtered: { total: 0, byReason: {}, byGroup: {} },
    delivered: 0,
    pending: 0,
    retrying: 0,
    retries,
    failed: 0,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      samples: latencies.length,
    },
  };
  for (const { status, reason, n } of counts) {
    overview.received += n;
    if (status === "filtered") {
      const why = reason ?? "UNKNOWN";
      const group = FILTER_GROUP[why as FilterReason] ?? "other";
      overview.filtered.total += n;
      overview.filtered.byReason[why] = (overview.filtered.byReason[why] ?? 0) + n;
      overview.filtered.byGroup[group] = (overview.filtered.byGroup[group] ?? 0) + n;
    } else if (status === "delivered") overview.delivered += n;
    else if (status === "pending") overview.pending += n;
    else if (status === "retrying") overview.retrying += n;
    else overview.failed += n;
  }
  return overview;
}

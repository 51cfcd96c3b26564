// Ingestion scenarios of `npm run bench`. A scenario only says what each request looks like; the
// runner (scripts/bench-ingest.ts) plays it against every target. Later benchmarks (identity
// throughput, time-to-profile) add scenarios of their own beside these.
import type { LoadRequest } from "./load-generator.ts";

export interface Scenario {
  name: string;
  /** What the scenario measures, printed under the table. */
  description: string;
  concurrency: number;
  /** Builds the n-th request; `runId` keeps messageIds unique across runs and targets. */
  nextRequest: (runId: string, n: number) => LoadRequest;
}

const BATCH_SIZE = 100;
const SENT_AT_SKEW_MS = 1_500;

/** A realistic track call, shaped like analytics-node's (library, timestamps, properties). */
export function benchTrackEvent(runId: string, n: number, now: Date): Record<string, unknown> {
  return {
    type: "track",
    messageId: `bench-${runId}-${n}`,
    userId: `bench-user-${n % 1_000}`,
    event: "Product Viewed",
    properties: { product_id: `sku-${n % 97}`, price: 19.99, currency: "EUR", position: n % 10 },
    context: { library: { name: "foyer-bench", version: "1" }, locale: "en-GB" },
    timestamp: new Date(now.getTime() - SENT_AT_SKEW_MS).toISOString(),
  };
}

export const INGEST_SCENARIOS: readonly Scenario[] = [
  {
    name: "batch-100",
    description: `POST /v1/batch, ${BATCH_SIZE} track events a request, unique messageIds`,
    concurrency: 16,
    nextRequest: (runId, n) => {
      const now = new Date();
      const batch = Array.from({ length: BATCH_SIZE }, (_, i) =>
        benchTrackEvent(runId, n * BATCH_SIZE + i, now),
      );
      return {
        path: "/v1/batch",
        body: JSON.stringify({ batch, sentAt: now.toISOString() }),
        events: BATCH_SIZE,
      };
    },
  },
  {
    name: "track",
    description: "POST /v1/track, one event a request, unique messageIds",
    concurrency: 16,
    nextRequest: (runId, n) => {
      const now = new Date();
      const event = { ...benchTrackEvent(runId, n, now), sentAt: now.toISOString() };
      return { path: "/v1/track", body: JSON.stringify(event), events: 1 };
    },
  },
];

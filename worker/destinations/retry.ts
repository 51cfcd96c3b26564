// One place that decides what a failed delivery means. Segment retries "for four hours with a
// randomized exponential backoff after each attempt" (https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations),
// on timeouts, 429 and 5xx, never on other 4xx (src/partners/faqs.md). 408 is a timeout too
// (RFC 9110 §15.5.9).
import type { DeliveryResult } from "./adapter.ts";
import {
  BASE_DELAY_SECONDS,
  MAX_ATTEMPTS,
  MAX_DELAY_SECONDS,
  RETRY_WINDOW_SECONDS,
  backoffDelaySeconds,
} from "../platform/index.ts";

export {
  BASE_DELAY_SECONDS,
  MAX_ATTEMPTS,
  MAX_DELAY_SECONDS,
  RETRY_WINDOW_SECONDS,
  backoffDelaySeconds,
};

/** Cloudflare Queues cap a retry delay at 12 hours; we never wait longer than the window. */
const MAX_RETRY_AFTER_SECONDS = RETRY_WINDOW_SECONDS;

/** Maps an HTTP status to delivered / retry / failed. */
export function classifyStatus(httpStatus: number): DeliveryResult["status"] {
  if (httpStatus >= 200 && httpStatus < 300) return "delivered";
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) return "retry";
  return "failed";
}

/**
 * Parses Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns whole seconds
 * from `nowMs`, 0 for a past date, undefined when absent or malformed.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Classifies a fetch that threw: timeouts and network failures are retryable (Segment's ETIMEDOUT, ECONNREFUSED…). */
export function classifyFetchError(error: unknown): DeliveryResult {
  const name = error instanceof Error ? error.name : "";
  const code = name === "TimeoutError" || name === "AbortError" ? "ETIMEDOUT" : "ENETWORK";
  const detail = error instanceof Error ? error.message : String(error);
  return { status: "retry", httpStatus: null, error: `${code}: ${detail}` };
}

export type NextStep =
  | { action: "done" }
  | { action: "retry"; delaySeconds: number }
  | {
      action: "dead-letter";
      reason: "permanent failure" | "retry window exhausted" | "attempts exhausted";
    };

export interface AttemptRecord {
  result: DeliveryResult;
  /** How many attempts have been made, including this one (1 after the first send). */
  attempts: number;
  firstAttemptAt: number;
  now: number;
  random: number;
}

/**
 * What to do after an attempt: ack, retry after a delay (the larger of our backoff and the
 * vendor's Retry-After), or move to the destination's dead-letter store.
 */
export function decideNextStep(record: AttemptRecord): NextStep {
  const { result } = record;
  if (result.status === "delivered") return { action: "done" };
  if (result.status === "failed") return { action: "dead-letter", reason: "permanent failure" };
  const elapsed = (record.now - record.firstAttemptAt) / 1000;
  if (elapsed >= RETRY_WINDOW_SECONDS)
    return { action: "dead-letter", reason: "retry window exhausted" };
  if (record.attempts >= MAX_ATTEMPTS)
    return { action: "dead-letter", reason: "attempts exhausted" };
  const backoff = backoffDelaySeconds(record.attempts, record.random);
  const asked = Math.min(result.retryAfter ?? 0, MAX_RETRY_AFTER_SECONDS);
  return { action: "retry", delaySeconds: Math.max(backoff, asked) };
}

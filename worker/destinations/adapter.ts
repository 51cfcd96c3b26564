// The contract every destination adapter shares (jitsu-style: `(event, settings, ctx)`): I/O comes
// in through `ctx`, the outcome goes back as a DeliveryResult the delivery worker maps to
// ack / retry / dead-letter in one place (retry.ts).
import type { AddressPolicy } from "./destination-address.ts";
import type { z, NormalizedMessage } from "../message/index.ts";

export type DeliveryStatus = "delivered" | "retry" | "failed";

export interface DeliveryResult {
  status: DeliveryStatus;
  /** The vendor's HTTP status, or null when no response came back (timeout, network error). */
  httpStatus: number | null;
  /** Seconds the vendor asked us to wait (Retry-After), when it said so. */
  retryAfter?: number;
  /** Why it was not delivered: a short code plus the vendor's message, never a secret. */
  error?: string;
}

export interface DestinationContext {
  /** The only way an adapter reaches the network. */
  fetch: (request: Request) => Promise<Response>;
  /** Clock in epoch milliseconds (Retry-After dates, webhook timestamps). Defaults to Date.now. */
  now?: () => number;
  /** Per-request timeout; Segment treats timeouts as retryable. Defaults to 10 s. */
  timeoutMs?: number;
  /** Which hosts requests and redirects may reach (destination-address.ts). Defaults to strict. */
  addressPolicy?: AddressPolicy;
}

/** Who a deletion request is about; vendors key people differently (Braze by external id, Klaviyo by email). */
export interface DeletionSubject {
  userId?: string;
  email?: string;
  phone?: string;
}

export interface DestinationAdapter<S> {
  /** Stable slug used in settings, queues and the delivery overview. */
  name: string;
  settingsSchema: z.ZodType<S>;
  /** Sends one event. Events the destination has no use for resolve to `failed` with UNSUPPORTED_EVENT_TYPE. */
  send(event: NormalizedMessage, settings: S, ctx: DestinationContext): Promise<DeliveryResult>;
  /**
   * Most events one `sendBatch` call may carry under these settings (the vendor's batch limit, or
   * the batch size the destination was configured with); absent, or 1, means one event a request.
   */
  batchSize?(settings: S): number;
  /**
   * Sends several events in as few requests as the vendor's batch API allows. One result per event,
   * in the order given: a vendor that reports records one by one fails only those.
   */
  sendBatch?(
    events: readonly NormalizedMessage[],
    settings: S,
    ctx: DestinationContext,
  ): Promise<DeliveryResult[]>;
  /** Asks the vendor to erase a person (Segment's deletion forwarding), where the vendor has an API for it. */
  deleteUser?(
    subject: DeletionSubject,
    settings: S,
    ctx: DestinationContext,
  ): Promise<DeliveryResult>;
}

/** The result for an event the destination cannot take (Segment's `UNSUPPORTED_EVENT_TYPE`). */
export function unsupported(reason: string): DeliveryResult {
  return { status: "failed", httpStatus: null, error: `UNSUPPORTED_EVENT_TYPE: ${reason}` };
}

/** Epoch milliseconds from the context's clock. */
export function nowFrom(ctx: DestinationContext): number {
  return ctx.now ? ctx.now() : Date.now();
}

/** The result for a deletion the vendor cannot key with what the request carries. */
export function missingIdentifier(needed: string): DeliveryResult {
  return { status: "failed", httpStatus: null, error: `MISSING_IDENTIFIER: needs ${needed}` };
}

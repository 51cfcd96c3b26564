// What the vendor receiver (vendor-receiver.ts, Node) and its clients inside workerd share: no
// runtime imports, so the worker tests can load it.

/** Set by the egress door on forwarded requests: the vendor URL the adapter built. */
export const ORIGINAL_URL_HEADER = "x-receiver-original-url";

export interface ReceivedRequest {
  method: string;
  /** The URL the sender meant: the vendor's, when forwarded by the egress door. */
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** `Date.now()` on the receiver when the body had fully arrived. */
  receivedAt: number;
}

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Destroy the socket instead of answering: the sender sees a network error. */
  reset?: boolean;
  /** Answer only after this long (to let the sender's timeout fire). */
  delayMs?: number;
}

// Replay defence for controller webhooks: a signed (Aruba) or sent (Meraki) time must lie within
// ±5 minutes of our clock, and a delivery id seen inside that window is not recorded twice.
// Together they bound a captured request's usefulness: outside the window it is refused, inside it
// the id cache catches it. The window matches common webhook practice (Stripe's default tolerance,
// https://docs.stripe.com/webhooks#replay-attacks) and leaves room for vendor retries' clock skew.
import { accept, refuse, type ParseResult } from "./input-error.ts";

/** How far a delivery's time may be from ours, either way. */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

/** Refuses a delivery whose time is outside ±`windowMs` of `now` (code `stale_delivery`). */
export function checkDeliveryTime(
  sent: Date,
  now: Date,
  field: string,
  windowMs = REPLAY_WINDOW_MS,
): ParseResult<Date> {
  const skew = sent.getTime() - now.getTime();
  if (!Number.isFinite(skew) || Math.abs(skew) > windowMs) {
    return refuse(
      "stale_delivery",
      field,
      `delivery time is more than ${windowMs / 60_000} minutes from the agent's clock`,
    );
  }
  return accept(sent);
}

/**
 * Delivery ids remembered for the replay window, at most `maxIds` of them (oldest forgotten first)
 * so a flood of distinct signed ids cannot grow memory without bound. An id older than the window
 * can be forgotten safely: its timestamp would now be refused by `checkDeliveryTime`.
 */
export class DeliveryIdCache {
  private readonly seenAt = new Map<string, number>();
  private readonly maxIds: number;
  private readonly windowMs: number;

  // Plain fields, not parameter properties: Node runs the agent by stripping types only.
  constructor(maxIds = 10_000, windowMs = REPLAY_WINDOW_MS) {
    this.maxIds = maxIds;
    this.windowMs = windowMs;
  }

  /** True when `id` was remembered less than the window ago. */
  has(id: string, now: Date): boolean {
    const at = this.seenAt.get(id);
    return at !== undefined && now.getTime() - at <= this.windowMs;
  }

  /** Remembers `id`; call only once its delivery is durably recorded, so a failed append can retry. */
  remember(id: string, now: Date): void {
    this.seenAt.delete(id);
    this.seenAt.set(id, now.getTime());
    for (const [oldest, at] of this.seenAt) {
      if (this.seenAt.size <= this.maxIds && now.getTime() - at <= this.windowMs) break;
      this.seenAt.delete(oldest);
    }
  }

  /** How many ids are remembered (for tests and the doctor). */
  get size(): number {
    return this.seenAt.size;
  }
}

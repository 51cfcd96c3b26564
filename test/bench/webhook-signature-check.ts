// An independent check of Foyer's webhook signature on what the receiver got
// (`x-foyer-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`), written apart from
// worker/destinations/webhook.ts so the bench does not grade Foyer with Foyer's own code.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Arrival } from "./activation-arrivals.ts";

export type SignatureCheck = "ok" | "missing" | "malformed" | "stale" | "mismatch";

/**
 * Checks `x-foyer-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (the scheme
 * worker/destinations/webhook.ts documents) with a tolerance on the timestamp.
 */
export function checkSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs: number,
  toleranceSeconds = 300,
): SignatureCheck {
  if (header === undefined) return "missing";
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return "malformed";
  const t = Number(match[1]);
  if (Math.abs(nowMs / 1_000 - t) > toleranceSeconds) return "stale";
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(match[2] ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "mismatch";
}

export interface SignatureTally {
  checked: number;
  ok: number;
  /** Requests without a valid signature, by reason. */
  bad: Partial<Record<Exclude<SignatureCheck, "ok">, number>>;
}

/** Checks every arrival's signature (each against its own receivedAt). */
export function tallySignatures(
  secret: string,
  arrivals: readonly Arrival[],
  header = "x-foyer-signature",
): SignatureTally {
  const tally: SignatureTally = { checked: 0, ok: 0, bad: {} };
  for (const arrival of arrivals) {
    const result = checkSignature(
      secret,
      arrival.headers[header],
      arrival.body,
      arrival.receivedAt,
    );
    tally.checked++;
    if (result === "ok") tally.ok++;
    else tally.bad[result] = (tally.bad[result] ?? 0) + 1;
  }
  return tally;
}

// Aruba Central webhook signature, as the official sample computes it
// (aruba/central-python-workflows:webhooks/python-webclient/central_webhook_client.py, https://developer.arubanetworks.com/aruba-central/docs/using-alerts-with-webhooks):
// base64(HMAC-SHA256(token, rawBody + X-Central-Service + X-Central-Delivery-ID +
// X-Central-Delivery-Timestamp)), compared with X-Central-Signature.
import { createHmac } from "node:crypto";
import { accept, refuse, type ParseResult } from "../input-error.ts";
import { secretsMatch } from "../secret-compare.ts";

export interface ArubaDelivery {
  service: string;
  deliveryId: string;
  timestamp: string;
}

export const ARUBA_SIGNATURE_HEADERS = {
  signature: "x-central-signature",
  service: "x-central-service",
  deliveryId: "x-central-delivery-id",
  timestamp: "x-central-delivery-timestamp",
} as const;

/** The signature Central sends for this body and delivery headers. */
export function arubaSignature(token: string, rawBody: string, delivery: ArubaDelivery): string {
  return createHmac("sha256", token)
    .update(rawBody + delivery.service + delivery.deliveryId + delivery.timestamp, "utf8")
    .digest("base64");
}

/**
 * Checks the four Central headers against the raw body; `header(name)` reads a request header
 * case-insensitively. Returns the delivery metadata (its id keys the stable messageId).
 */
export function verifyArubaSignature(
  rawBody: string,
  header: (name: string) => string | undefined,
  token: string,
): ParseResult<ArubaDelivery> {
  const signature = header(ARUBA_SIGNATURE_HEADERS.signature);
  if (signature === undefined || signature === "") {
    return refuse(
      "missing_signature",
      ARUBA_SIGNATURE_HEADERS.signature,
      "X-Central-Signature is required",
    );
  }
  const delivery: Partial<ArubaDelivery> = {};
  for (const key of ["service", "deliveryId", "timestamp"] as const) {
    const name = ARUBA_SIGNATURE_HEADERS[key];
    const value = header(name);
    if (value === undefined || value === "")
      return refuse("missing_signature", name, `${name} is required`);
    delivery[key] = value;
  }
  const complete = delivery as ArubaDelivery;
  if (!secretsMatch(signature, arubaSignature(token, rawBody, complete))) {
    return refuse(
      "bad_signature",
      ARUBA_SIGNATURE_HEADERS.signature,
      "signature does not match the body",
    );
  }
  return accept(complete);
}

/**
 * X-Central-Delivery-Timestamp as a Date. The sample client only concatenates it into the signed
 * text, so its unit is not documented; we read epoch seconds and, like the alert body's
 * `timestamp`, milliseconds (values above 1e12).
 */
export function arubaDeliveryTime(timestamp: string): ParseResult<Date> {
  // Canonical digits only: a leading zero would let a replay move a digit from the delivery id
  // into the timestamp under the same signature (the signed string has no delimiters).
  const n = /^[1-9]\d{0,15}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) {
    return refuse(
      "invalid_value",
      ARUBA_SIGNATURE_HEADERS.timestamp,
      "X-Central-Delivery-Timestamp must be epoch seconds",
    );
  }
  return accept(new Date(n > 1e12 ? n : n * 1000));
}

// Webhook destination: POSTs the event as JSON, signed so the receiver can tell it came from
// Foyer and is fresh. Signature scheme (Stripe-style, https://docs.stripe.com/webhooks#verify-manually):
// `x-foyer-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Binding the
// timestamp into the MAC lets receivers refuse replays older than a tolerance.
import { z, type JsonObject, type JsonValue, type NormalizedMessage } from "../message/index.ts";
import { toHex } from "../platform/index.ts";
import {
  nowFrom,
  type DeliveryResult,
  type DestinationAdapter,
  type DestinationContext,
} from "./adapter.ts";
import { sendRequest } from "./http-send.ts";
import { assertMapping, MappingError, resolveMapping } from "./mapping.ts";

export const SIGNATURE_HEADER = "x-foyer-signature";
/** Receivers should refuse signatures older (or newer) than this. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Largest batch a webhook may be configured with. */
export const MAX_BATCH = 1000;

/** Headers a destination's configuration may not set. */
const RESERVED_HEADERS = new Set([
  "content-type",
  SIGNATURE_HEADER,
  "host",
  "authorization",
  "content-length",
  "transfer-encoding",
  "cookie",
  "connection",
]);

export const webhookSettingsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** Per-destination signing secret; at least 128 bits of entropy expected. */
  secret: z.string().min(16),
  /**
   * Extra static headers (e.g. a tenant id). Values may not carry CR/LF (header injection); the
   * framing, routing and credential headers are Foyer's: the webhook authenticates by signature.
   */
  headers: z
    .record(
      z.string().regex(/^[A-Za-z0-9-]+$/),
      z.string().regex(/^[^\r\n\0]*$/, "CR, LF or NUL in a header value"),
    )
    .refine(
      (headers) => !Object.keys(headers).some((name) => RESERVED_HEADERS.has(name.toLowerCase())),
      `${[...RESERVED_HEADERS].join(", ")} are set by Foyer`,
    )
    .default({}),
  /** Optional mapping-kit body (`@path`, `@template`, `@if`, `@literal`); the whole event when absent. */
  mapping: z
    .json()
    .superRefine((mapping, ctx) => {
      try {
        assertMapping(mapping);
      } catch (error) {
        if (!(error instanceof MappingError)) throw error;
        ctx.addIssue({ code: "custom", message: error.message });
      }
    })
    .optional(),
  /**
   * Events per request. 1 (the default) POSTs each event as a JSON object; above 1, due events go
   * out together as a JSON array of up to this many (Segment's Webhooks (Actions) batching), signed
   * the same way over the whole array, and the answer settles every event in it.
   */
  batchSize: z.int().min(1).max(MAX_BATCH).optional(),
});
export type WebhookSettings = z.infer<typeof webhookSettingsSchema>;

/** Imported keys by secret, per isolate: a destination signs every send with the same one. */
const keys = new Map<string, Promise<CryptoKey>>();
const MAX_KEYS = 256;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keys.set(secret, key);
    key.catch(() => keys.delete(secret));
  }
  return key;
}

/** The signature header value for `body` at `timestampSeconds`. */
export async function signWebhookBody(
  secret: string,
  timestampSeconds: number,
  body: string,
): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    new TextEncoder().encode(`${timestampSeconds}.${body}`),
  );
  return `t=${timestampSeconds},v1=${toHex(mac)}`;
}

export type SignatureCheck =
  { ok: true } | { ok: false; reason: "malformed" | "stale" | "mismatch" };

/**
 * What a receiver runs: parses the header, refuses timestamps outside the tolerance (replay), then
 * verifies the MAC in constant time (`crypto.subtle.verify`).
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null,
  body: string,
  nowMs: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Promise<SignatureCheck> {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return { ok: false, reason: "malformed" };
  const timestamp = Number(match[1]);
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: "stale" };
  const mac = new Uint8Array((match[2] as string).match(/../g)!.map((byte) => parseInt(byte, 16)));
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    mac,
    new TextEncoder().encode(`${timestamp}.${body}`),
  );
  return valid ? { ok: true } : { ok: false, reason: "mismatch" };
}

/** The body the webhook receives for one event: the event, or its mapping. */
function bodyOf(event: NormalizedMessage, settings: WebhookSettings): JsonValue {
  return settings.mapping === undefined
    ? (event as unknown as JsonValue)
    : (resolveMapping(settings.mapping, event as unknown as JsonObject) ?? null);
}

/** POSTs `body` signed with the destination's secret. */
async function post(body: string, settings: WebhookSettings, ctx: DestinationContext) {
  const timestamp = Math.floor(nowFrom(ctx) / 1000);
  const request = new Request(settings.url, {
    method: "POST",
    headers: {
      ...settings.headers,
      "content-type": "application/json",
      "user-agent": "Foyer (Destinations)",
      [SIGNATURE_HEADER]: await signWebhookBody(settings.secret, timestamp, body),
    },
    body,
  });
  return sendRequest(request, ctx);
}

function send(
  event: NormalizedMessage,
  settings: WebhookSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  return post(JSON.stringify(bodyOf(event, settings)), settings, ctx);
}

/** One request with a JSON array of the events' bodies; its answer is every event's answer. */
async function sendBatch(
  events: readonly NormalizedMessage[],
  settings: WebhookSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult[]> {
  const result = await post(
    JSON.stringify(events.map((event) => bodyOf(event, settings))),
    settings,
    ctx,
  );
  return events.map(() => result);
}

export const webhookDestination: DestinationAdapter<WebhookSettings> = {
  name: "webhook",
  settingsSchema: webhookSettingsSchema,
  send,
  batchSize: (settings) => settings.batchSize ?? 1,
  sendBatch,
};

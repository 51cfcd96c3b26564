// Meta Conversions API (https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api).
// Contact fields are sent only as SHA-256 of the normalized value, as the customer information
// parameters page requires (https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters):
// email trimmed and lower-cased; phone with symbols, letters and leading zeros removed and a
// country code. No deletion: the Conversions API has no per-person erase call.
import { z, type JsonObject, type NormalizedMessage, phoneForMeta } from "../message/index.ts";
import { sha256Hex } from "../platform/index.ts";
import {
  unsupported,
  type DeliveryResult,
  type DestinationAdapter,
  type DestinationContext,
} from "./adapter.ts";
import {
  emailOf,
  eventTimeMs,
  isObject,
  numberAt,
  phoneOf,
  propertiesOf,
  stringAt,
  textOf,
} from "./event-fields.ts";
import { jsonPost, parseJsonBody, sendRequest } from "./http-send.ts";

export const metaSettingsSchema = z.strictObject({
  pixelId: z.string().regex(/^\d{5,20}$/, "a pixel (dataset) id is numeric"),
  accessToken: z.string().min(1),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default("v21.0"),
  actionSource: z
    .enum(["website", "app", "physical_store", "system_generated", "other"])
    .default("website"),
  /** Calling code (e.g. "33") for national numbers written without one. */
  defaultCallingCode: z
    .string()
    .regex(/^[1-9]\d{0,3}$/)
    .optional(),
  testEventCode: z.string().min(1).optional(),
});
export type MetaSettings = z.infer<typeof metaSettingsSchema>;

/** Segment semantic events → Meta standard events (Segment's Facebook Conversions API presets). */
const STANDARD_EVENTS: Record<string, string> = {
  "Order Completed": "Purchase",
  "Product Added": "AddToCart",
  "Product Viewed": "ViewContent",
  "Checkout Started": "InitiateCheckout",
  "Products Searched": "Search",
  "Payment Info Entered": "AddPaymentInfo",
  "Product Added to Wishlist": "AddToWishlist",
  "Signed Up": "CompleteRegistration",
};

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Email as Meta matches it: trimmed, lower-case. */
export function normalizeEmailForMeta(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Phone as Meta matches it (`ph`): E.164 digits without the `+`, by the one contact normalizer
 * (worker/message/contact.ts). Undefined when it cannot be a number.
 */
export function normalizePhoneForMeta(
  phone: string,
  defaultCallingCode?: string,
): string | undefined {
  const result = phoneForMeta(phone, { defaultCallingCode });
  return result.ok ? result.value : undefined;
}

/** SHA-256 hex, leaving values that are already a SHA-256 hex digest alone (no double hashing). */
async function hashed(value: string): Promise<string> {
  return SHA256_HEX.test(value) ? value : sha256Hex(value);
}

/** The `user_data` object: hashed em/ph/external_id plus the unhashed fields Meta asks for in clear. */
export async function metaUserData(
  event: NormalizedMessage,
  settings: MetaSettings,
): Promise<JsonObject> {
  const userData: JsonObject = {};
  const email = emailOf(event);
  if (email) userData.em = [await hashed(normalizeEmailForMeta(email))];
  const phone = phoneOf(event);
  const normalizedPhone =
    phone === undefined ? undefined : normalizePhoneForMeta(phone, settings.defaultCallingCode);
  if (normalizedPhone) userData.ph = [await hashed(normalizedPhone)];
  if (event.userId) userData.external_id = [await hashed(event.userId)];
  const ip = stringAt(event.context, "ip");
  if (ip) userData.client_ip_address = ip;
  const userAgent = stringAt(event.context, "userAgent");
  if (userAgent) userData.client_user_agent = userAgent;
  const fbp = stringAt(propertiesOf(event), "fbp");
  if (fbp) userData.fbp = fbp;
  const fbc = stringAt(propertiesOf(event), "fbc");
  if (fbc) userData.fbc = fbc;
  return userData;
}

function customData(properties: JsonObject): JsonObject {
  const out: JsonObject = {};
  const value =
    numberAt(properties, "revenue") ??
    numberAt(properties, "total") ??
    numberAt(properties, "value");
  if (value !== undefined) out.value = value;
  const currency = stringAt(properties, "currency");
  if (currency) out.currency = currency;
  const orderId = stringAt(properties, "order_id");
  if (orderId) out.order_id = orderId;
  const products = Array.isArray(properties.products) ? properties.products.filter(isObject) : [];
  if (products.length > 0) {
    out.content_ids = products.map((p) => textOf(p.product_id ?? p.sku) ?? "");
    out.contents = products.map((p) => ({
      id: textOf(p.product_id ?? p.sku) ?? "",
      quantity: typeof p.quantity === "number" ? p.quantity : 1,
    }));
    out.num_items = products.length;
    out.content_type = "product";
  }
  return out;
}

/** The server event, or a reason it cannot be sent. */
export async function toMetaEvent(
  event: NormalizedMessage,
  settings: MetaSettings,
): Promise<JsonObject | string> {
  const name =
    event.type === "page"
      ? "PageView"
      : event.type === "track" && event.event
        ? (STANDARD_EVENTS[event.event] ?? event.event)
        : undefined;
  if (name === undefined) return `Meta takes track and page, not ${event.type}`;
  const userData = await metaUserData(event, settings);
  const matchable =
    ["em", "ph", "external_id", "fbp", "fbc"].some((key) => key in userData) ||
    ("client_ip_address" in userData && "client_user_agent" in userData);
  if (!matchable) return "no customer information parameter Meta can match on";
  const out: JsonObject = {
    event_name: name,
    event_time: Math.floor(eventTimeMs(event) / 1000),
    event_id: event.messageId,
    action_source: settings.actionSource,
    user_data: userData,
    custom_data: customData(propertiesOf(event)),
  };
  const url = stringAt(event.context, "page.url");
  if (url) out.event_source_url = url;
  return out;
}

/** Posts server events to the pixel; a 200 must say it received every one of them. */
function post(
  serverEvents: JsonObject[],
  settings: MetaSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  const body: JsonObject = { data: serverEvents };
  if (settings.testEventCode) body.test_event_code = settings.testEventCode;
  const url = `https://graph.facebook.com/${settings.apiVersion}/${settings.pixelId}/events?access_token=${encodeURIComponent(settings.accessToken)}`;
  return sendRequest(jsonPost(url, body), ctx, (text, response) => {
    const parsed = parseJsonBody(text) as { events_received?: unknown } | undefined;
    if (parsed?.events_received === serverEvents.length) return undefined;
    return {
      status: "failed",
      httpStatus: response.status,
      error: `META_NOT_RECEIVED: ${text.slice(0, 200)}`,
    };
  });
}

async function send(
  event: NormalizedMessage,
  settings: MetaSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  const serverEvent = await toMetaEvent(event, settings);
  if (typeof serverEvent === "string") return unsupported(serverEvent);
  return post([serverEvent], settings, ctx);
}

/**
 * Up to MAX_BATCH events in one request. Meta accepts or rejects a batch whole (one invalid event
 * rejects all: https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api#send),
 * so its answer is every event's; events Meta cannot take are refused before the request.
 */
async function sendBatch(
  events: readonly NormalizedMessage[],
  settings: MetaSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult[]> {
  const results = new Array<DeliveryResult>(events.length);
  const serverEvents: JsonObject[] = [];
  const slots: number[] = [];
  const converted = await Promise.all(events.map((event) => toMetaEvent(event, settings)));
  converted.forEach((serverEvent, slot) => {
    if (typeof serverEvent === "string") results[slot] = unsupported(serverEvent);
    else {
      serverEvents.push(serverEvent);
      slots.push(slot);
    }
  });
  if (serverEvents.length > 0) {
    const outcome = await post(serverEvents, settings, ctx);
    for (const slot of slots) results[slot] = outcome;
  }
  return results;
}

/** Events one request may carry (https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api). */
const MAX_BATCH = 1_000;

export const metaConversionsDestination: DestinationAdapter<MetaSettings> = {
  name: "meta-conversions",
  settingsSchema: metaSettingsSchema,
  send,
  batchSize: () => MAX_BATCH,
  sendBatch,
};

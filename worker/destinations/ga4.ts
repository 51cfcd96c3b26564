// Google Analytics 4 through the Measurement Protocol
// (https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events).
// GA4 answers 2xx even to invalid payloads (validation only at /debug/mp/collect), so every limit
// it documents is checked here and a violation fails the event instead of vanishing silently.
// No deletion: GA4's User Deletion API needs an OAuth service account, which this adapter does not hold.
import { z, type JsonObject, type JsonValue, type NormalizedMessage } from "../message/index.ts";
import {
  missingIdentifier,
  unsupported,
  type DeliveryResult,
  type DestinationAdapter,
  type DestinationContext,
} from "./adapter.ts";
import { eventTimeMs, isObject, propertiesOf, stringAt } from "./event-fields.ts";
import { jsonPost, sendRequest } from "./http-send.ts";

export const ga4SettingsSchema = z.strictObject({
  measurementId: z
    .string()
    .regex(/^G-[A-Z0-9]{4,20}$/, "a GA4 measurement id looks like G-XXXXXXX"),
  apiSecret: z.string().min(1),
});
export type Ga4Settings = z.infer<typeof ga4SettingsSchema>;

/** Segment semantic events → GA4 recommended events (https://support.google.com/analytics/answer/9267735). */
const RECOMMENDED: Record<string, string> = {
  "Order Completed": "purchase",
  "Order Refunded": "refund",
  "Product Added": "add_to_cart",
  "Product Removed": "remove_from_cart",
  "Product Viewed": "view_item",
  "Product List Viewed": "view_item_list",
  "Cart Viewed": "view_cart",
  "Checkout Started": "begin_checkout",
  "Payment Info Entered": "add_payment_info",
  "Products Searched": "search",
  "Signed Up": "sign_up",
  "Signed In": "login",
};
/** Names GA4 reserves (Measurement Protocol "Reserved event names"). */
const RESERVED = new Set([
  "ad_activeview",
  "ad_click",
  "ad_exposure",
  "ad_query",
  "ad_reward",
  "adunit_exposure",
  "app_clear_data",
  "app_exception",
  "app_install",
  "app_remove",
  "app_store_refund",
  "app_update",
  "app_upgrade",
  "dynamic_link_app_open",
  "dynamic_link_app_update",
  "dynamic_link_first_open",
  "error",
  "firebase_campaign",
  "firebase_in_app_message_action",
  "firebase_in_app_message_dismiss",
  "firebase_in_app_message_impression",
  "first_open",
  "first_visit",
  "in_app_purchase",
  "notification_dismiss",
  "notification_foreground",
  "notification_open",
  "notification_receive",
  "notification_send",
  "os_update",
  "session_start",
  "user_engagement",
]);
const RESERVED_PREFIXES = ["_", "firebase_", "ga_", "google_", "gtag."];
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** A GA4 event name: the recommended one, or the Segment name with non-alphanumerics as `_` (≤ 40 chars). */
export function ga4EventName(event: NormalizedMessage): string | undefined {
  if (event.type === "page") return "page_view";
  if (event.type === "screen") return "screen_view";
  if (event.type !== "track" || !event.event) return undefined;
  return (
    RECOMMENDED[event.event] ??
    event.event
      .trim()
      .replace(/[^A-Za-z0-9_]+/g, "_")
      .slice(0, 40)
  );
}

function scalarParams(properties: JsonObject): JsonObject {
  const params: JsonObject = {};
  for (const [key, value] of Object.entries(properties)) {
    const name = key.replace(/[^A-Za-z0-9_]+/g, "_").slice(0, 40);
    if (typeof value === "number" || typeof value === "boolean") params[name] = value;
    else if (typeof value === "string") params[name] = value.slice(0, 100);
  }
  return params;
}

function items(products: JsonValue | undefined): JsonValue[] {
  if (!Array.isArray(products)) return [];
  return products.filter(isObject).map((product) => {
    const item: JsonObject = {};
    const id = product.product_id ?? product.sku;
    if (typeof id === "string") item.item_id = id;
    if (typeof product.name === "string") item.item_name = product.name;
    if (typeof product.price === "number") item.price = product.price;
    if (typeof product.quantity === "number") item.quantity = product.quantity;
    return item;
  });
}

/** The Measurement Protocol body for one event, or a reason it cannot be sent. */
export function toGa4Payload(event: NormalizedMessage): JsonObject | string {
  const name = ga4EventName(event);
  if (name === undefined) return `GA4 takes track, page and screen, not ${event.type}`;
  if (!NAME.test(name) || RESERVED.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p)))
    return `event name ${JSON.stringify(name)} is not allowed by GA4`;
  const properties = propertiesOf(event);
  const params: JsonObject = { ...scalarParams(properties), engagement_time_msec: 1 };
  if (name === "purchase" || name === "refund") {
    const value = properties.revenue ?? properties.total ?? properties.value;
    if (typeof value === "number") params.value = value;
    if (typeof properties.order_id === "string") params.transaction_id = properties.order_id;
    if (typeof properties.currency === "string") params.currency = properties.currency;
    params.items = items(properties.products);
  }
  if (event.type === "page") {
    const url = stringAt(event.context, "page.url") ?? stringAt(properties, "url");
    if (url) params.page_location = url;
    const title = stringAt(event.context, "page.title") ?? stringAt(properties, "title");
    if (title) params.page_title = title;
  }
  if (Object.keys(params).length > 25) return "GA4 allows at most 25 parameters per event";
  const payload: JsonObject = {
    client_id: (event.anonymousId ?? event.userId) as string,
    timestamp_micros: eventTimeMs(event) * 1000,
    events: [{ name, params }],
  };
  if (event.userId) payload.user_id = event.userId;
  return payload;
}

async function send(
  event: NormalizedMessage,
  settings: Ga4Settings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  if (!event.anonymousId && !event.userId)
    return missingIdentifier("anonymousId or userId (client_id)");
  const payload = toGa4Payload(event);
  if (typeof payload === "string") return unsupported(payload);
  const query = new URLSearchParams({
    measurement_id: settings.measurementId,
    api_secret: settings.apiSecret,
  });
  return sendRequest(
    jsonPost(`https://www.google-analytics.com/mp/collect?${query.toString()}`, payload),
    ctx,
  );
}

export const ga4Destination: DestinationAdapter<Ga4Settings> = {
  name: "ga4",
  settingsSchema: ga4SettingsSchema,
  send,
};

// Braze: events, purchases and attributes through POST /users/track
// (https://www.braze.com/docs/api/endpoints/user_data/post_user_track/), deletion through
// POST /users/delete (https://www.braze.com/docs/api/endpoints/user_data/post_user_delete/).
// Braze answers 201 `{"message":"success","errors":[…]}` when some objects were rejected
// (https://www.braze.com/docs/api/errors/#server-responses): that is a failure, not a delivery.
import { z, type JsonObject, type JsonValue, type NormalizedMessage } from "../message/index.ts";
import {
  missingIdentifier,
  unsupported,
  type DeletionSubject,
  type DeliveryResult,
  type DestinationAdapter,
  type DestinationContext,
} from "./adapter.ts";
import { isObject, propertiesOf, stringAt, textOf, userTraits } from "./event-fields.ts";
import { jsonPost, parseJsonBody, sendRequest } from "./http-send.ts";

export const brazeSettingsSchema = z.strictObject({
  apiKey: z.string().min(1),
  /** The instance's REST endpoint, e.g. https://rest.iad-01.braze.com or https://rest.fra-01.braze.eu. */
  restEndpoint: z
    .url({ protocol: /^https$/ })
    .regex(/^https:\/\/rest\.[a-z0-9-]+\.braze\.(com|eu)\/?$/, "a Braze REST endpoint"),
  appId: z.string().min(1).optional(),
});
export type BrazeSettings = z.infer<typeof brazeSettingsSchema>;

/** Segment reserved traits → Braze standard attributes; the rest are custom attributes. */
const STANDARD: Record<string, string> = {
  firstName: "first_name",
  first_name: "first_name",
  lastName: "last_name",
  last_name: "last_name",
  email: "email",
  phone: "phone",
  gender: "gender",
  birthday: "dob",
  avatar: "image_url",
};

function identity(event: NormalizedMessage): JsonObject | undefined {
  if (event.userId) return { external_id: event.userId };
  if (event.anonymousId)
    return { user_alias: { alias_name: event.anonymousId, alias_label: "anonymous_id" } };
  return undefined;
}

function attributes(traits: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(traits)) {
    if (key === "address" && isObject(value)) {
      if (typeof value.city === "string") out.home_city = value.city;
      if (typeof value.country === "string") out.country = value.country;
      continue;
    }
    const name = STANDARD[key] ?? key;
    out[name] = name === "dob" && typeof value === "string" ? value.slice(0, 10) : value;
  }
  return out;
}

/** The /users/track body for one Segment call. */
export function toBrazeTrack(
  event: NormalizedMessage,
  settings: BrazeSettings,
): JsonObject | string {
  const who = identity(event);
  if (!who) return "needs userId or anonymousId";
  const app: JsonObject = settings.appId ? { app_id: settings.appId } : {};
  if (event.type === "identify")
    return { attributes: [{ ...who, ...attributes(userTraits(event)) }] };
  if (event.type !== "track" || !event.event)
    return `Braze takes track and identify, not ${event.type}`;
  const properties = propertiesOf(event);
  const products = properties.products;
  if (event.event === "Order Completed" && Array.isArray(products) && products.length > 0) {
    const currency = stringAt(properties, "currency") ?? "USD";
    const purchases: JsonValue[] = products.filter(isObject).map((product) => ({
      ...who,
      ...app,
      product_id: textOf(product.product_id ?? product.sku ?? product.name) ?? "unknown",
      currency,
      price: typeof product.price === "number" ? product.price : 0,
      quantity: typeof product.quantity === "number" ? product.quantity : 1,
      time: event.timestamp,
      properties: { order_id: properties.order_id ?? null },
    }));
    return { purchases };
  }
  return { events: [{ ...who, ...app, name: event.event, time: event.timestamp, properties }] };
}

function confirmsSuccess(body: string, response: Response): DeliveryResult | undefined {
  const parsed = parseJsonBody(body) as { message?: unknown; errors?: unknown } | undefined;
  if (parsed?.message === "success" && !(Array.isArray(parsed.errors) && parsed.errors.length > 0))
    return undefined;
  return {
    status: "failed",
    httpStatus: response.status,
    error: `BRAZE_PARTIAL_FAILURE: ${body.slice(0, 200)}`,
  };
}

function endpoint(settings: BrazeSettings, path: string): string {
  return `${settings.restEndpoint.replace(/\/$/, "")}${path}`;
}

async function send(
  event: NormalizedMessage,
  settings: BrazeSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  const body = toBrazeTrack(event, settings);
  if (typeof body === "string")
    return body.startsWith("needs")
      ? missingIdentifier("userId or anonymousId")
      : unsupported(body);
  const request = jsonPost(endpoint(settings, "/users/track"), body, {
    authorization: `Bearer ${settings.apiKey}`,
  });
  return sendRequest(request, ctx, confirmsSuccess);
}

/** Objects /users/track takes per array (https://www.braze.com/docs/api/endpoints/user_data/post_user_track/). */
const MAX_PER_ARRAY = 75;
const ARRAYS = ["attributes", "events", "purchases"] as const;
type BrazeArray = (typeof ARRAYS)[number];

/** One request's worth of events: their bodies merged, and which event each object came from. */
interface Pack {
  body: Record<BrazeArray, JsonValue[]>;
  owner: Record<BrazeArray, number[]>;
  slots: number[];
}

function emptyPack(): Pack {
  return {
    body: { attributes: [], events: [], purchases: [] },
    owner: { attributes: [], events: [], purchases: [] },
    slots: [],
  };
}

/** The rejected objects' owners: Braze's `errors` name the array and index of each. */
function rejectedSlots(body: string, pack: Pack): Map<number, string> {
  const parsed = parseJsonBody(body) as { errors?: unknown } | undefined;
  const out = new Map<number, string>();
  if (!Array.isArray(parsed?.errors)) return out;
  for (const error of parsed.errors as JsonValue[]) {
    if (!isObject(error)) continue;
    const array = error.input_array;
    const index = error.index;
    if (typeof array !== "string" || !(ARRAYS as readonly string[]).includes(array)) continue;
    if (typeof index !== "number") continue;
    const slot = pack.owner[array as BrazeArray][index];
    const type = typeof error.type === "string" ? error.type : "rejected";
    if (slot !== undefined) out.set(slot, type.slice(0, 200));
  }
  return out;
}

/** Sends one pack; a 201 that lists rejected objects fails their events alone. */
async function sendPack(
  pack: Pack,
  settings: BrazeSettings,
  ctx: DestinationContext,
  results: DeliveryResult[],
): Promise<void> {
  let rawBody = "";
  const body: JsonObject = {};
  for (const array of ARRAYS) if (pack.body[array].length > 0) body[array] = pack.body[array];
  const outcome = await sendRequest(
    jsonPost(endpoint(settings, "/users/track"), body, {
      authorization: `Bearer ${settings.apiKey}`,
    }),
    ctx,
    confirmsSuccess,
    (text) => (rawBody = text),
  );
  const rejected =
    outcome.status === "failed" && outcome.httpStatus !== null && outcome.httpStatus < 300
      ? rejectedSlots(rawBody, pack)
      : new Map<number, string>();
  for (const slot of pack.slots) {
    const why = rejected.get(slot);
    results[slot] =
      rejected.size === 0
        ? outcome
        : why === undefined
          ? { status: "delivered", httpStatus: outcome.httpStatus }
          : { status: "failed", httpStatus: outcome.httpStatus, error: `BRAZE_REJECTED: ${why}` };
  }
}

/**
 * Events packed into as few /users/track requests as its per-array limit allows (an order's
 * products are one purchase each, so an event may fill several slots); results in event order.
 */
async function sendBatch(
  events: readonly NormalizedMessage[],
  settings: BrazeSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult[]> {
  const results = new Array<DeliveryResult>(events.length);
  const packs: Pack[] = [];
  let pack = emptyPack();
  events.forEach((event, slot) => {
    const body = toBrazeTrack(event, settings);
    if (typeof body === "string") {
      results[slot] = body.startsWith("needs")
        ? missingIdentifier("userId or anonymousId")
        : unsupported(body);
      return;
    }
    const parts = ARRAYS.map(
      (array) => [array, (body[array] as JsonValue[] | undefined) ?? []] as const,
    );
    const fits = parts.every(
      ([array, items]) => pack.body[array].length + items.length <= MAX_PER_ARRAY,
    );
    if (!fits && pack.slots.length > 0) {
      packs.push(pack);
      pack = emptyPack();
    }
    for (const [array, items] of parts)
      for (const item of items) {
        pack.body[array].push(item);
        pack.owner[array].push(slot);
      }
    pack.slots.push(slot);
  });
  if (pack.slots.length > 0) packs.push(pack);
  for (const each of packs) await sendPack(each, settings, ctx, results);
  return results;
}

async function deleteUser(
  subject: DeletionSubject,
  settings: BrazeSettings,
  ctx: DestinationContext,
) {
  if (!subject.userId) return missingIdentifier("userId");
  const request = jsonPost(
    endpoint(settings, "/users/delete"),
    { external_ids: [subject.userId] },
    { authorization: `Bearer ${settings.apiKey}` },
  );
  return sendRequest(request, ctx, (body, response) => {
    const parsed = parseJsonBody(body) as { deleted?: unknown } | undefined;
    // Deleting someone Braze never had answers deleted: 0; the person is gone either way.
    return typeof parsed?.deleted === "number"
      ? undefined
      : {
          status: "failed",
          httpStatus: response.status,
          error: `BRAZE_DELETE_UNCONFIRMED: ${body.slice(0, 200)}`,
        };
  });
}

export const brazeDestination: DestinationAdapter<BrazeSettings> = {
  name: "braze",
  settingsSchema: brazeSettingsSchema,
  send,
  /** Up to 75 events a request; an order's products may split a batch into several requests. */
  batchSize: () => MAX_PER_ARRAY,
  sendBatch,
  deleteUser,
};

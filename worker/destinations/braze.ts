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
  deleteUser,
};

// Klaviyo (chosen over HubSpot: a private API key is enough, custom events need no paid tier, and
// it has a data-privacy deletion API). Events: POST /api/events
// (https://developers.klaviyo.com/en/reference/create_event); profiles: POST /api/profile-import
// (https://developers.klaviyo.com/en/reference/create_or_update_profile); deletion: POST
// /api/data-privacy-deletion-jobs (https://developers.klaviyo.com/en/reference/request_profile_deletion),
// keyed by email or phone. All JSON:API with a `revision` header.
import { z, type JsonObject, type NormalizedMessage } from "../message/index.ts";
import {
  missingIdentifier,
  unsupported,
  type DeletionSubject,
  type DeliveryResult,
  type DestinationAdapter,
  type DestinationContext,
} from "./adapter.ts";
import { propertiesOf, stringAt, userTraits } from "./event-fields.ts";
import { sendRequest } from "./http-send.ts";

export const KLAVIYO_REVISION = "2024-10-15";

export const klaviyoSettingsSchema = z.strictObject({
  privateApiKey: z
    .string()
    .regex(/^pk_[A-Za-z0-9_]{10,}$/, "a Klaviyo private key starts with pk_"),
});
export type KlaviyoSettings = z.infer<typeof klaviyoSettingsSchema>;

const RESERVED_PROFILE: Record<string, string> = {
  email: "email",
  phone: "phone_number",
  firstName: "first_name",
  first_name: "first_name",
  lastName: "last_name",
  last_name: "last_name",
  title: "title",
  avatar: "image",
};

function request(path: string, apiKey: string, body: JsonObject): Request {
  return new Request(`https://a.klaviyo.com/api/${path}`, {
    method: "POST",
    headers: {
      authorization: `Klaviyo-API-Key ${apiKey}`,
      revision: KLAVIYO_REVISION,
      accept: "application/vnd.api+json",
      "content-type": "application/vnd.api+json",
    },
    body: JSON.stringify(body),
  });
}

/** Profile attributes: Klaviyo identifies a profile by email, phone_number, external_id or anonymous_id. */
export function klaviyoProfile(event: NormalizedMessage): JsonObject {
  const attributes: JsonObject = {};
  const properties: JsonObject = {};
  for (const [key, value] of Object.entries(userTraits(event))) {
    const reserved = RESERVED_PROFILE[key];
    if (reserved) attributes[reserved] = value;
    else properties[key] = value;
  }
  if (event.userId) attributes.external_id = event.userId;
  if (event.anonymousId) attributes.anonymous_id = event.anonymousId;
  if (Object.keys(properties).length > 0 && event.type === "identify")
    attributes.properties = properties;
  return attributes;
}

async function send(
  event: NormalizedMessage,
  settings: KlaviyoSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  const profile = klaviyoProfile(event);
  if (!profile.email && !profile.phone_number && !profile.external_id && !profile.anonymous_id) {
    return missingIdentifier("email, phone, userId or anonymousId");
  }
  if (event.type === "identify") {
    return sendRequest(
      request("profile-import", settings.privateApiKey, {
        data: { type: "profile", attributes: profile },
      }),
      ctx,
    );
  }
  if (event.type !== "track" || !event.event)
    return unsupported(`Klaviyo takes track and identify, not ${event.type}`);
  const properties = propertiesOf(event);
  const attributes: JsonObject = {
    properties,
    time: event.timestamp,
    unique_id: event.messageId,
    metric: { data: { type: "metric", attributes: { name: event.event } } },
    profile: { data: { type: "profile", attributes: profile } },
  };
  const value = properties.revenue ?? properties.value ?? properties.total;
  if (typeof value === "number") attributes.value = value;
  const currency = stringAt(properties, "currency");
  if (currency) attributes.value_currency = currency;
  return sendRequest(
    request("events", settings.privateApiKey, { data: { type: "event", attributes } }),
    ctx,
  );
}

async function deleteUser(
  subject: DeletionSubject,
  settings: KlaviyoSettings,
  ctx: DestinationContext,
) {
  const key: JsonObject | undefined = subject.email
    ? { email: subject.email }
    : subject.phone
      ? { phone_number: subject.phone }
      : undefined;
  if (!key) return missingIdentifier("email or phone");
  const body = {
    data: {
      type: "data-privacy-deletion-job",
      attributes: { profile: { data: { type: "profile", attributes: key } } },
    },
  };
  return sendRequest(request("data-privacy-deletion-jobs", settings.privateApiKey, body), ctx);
}

export const klaviyoDestination: DestinationAdapter<KlaviyoSettings> = {
  name: "klaviyo",
  settingsSchema: klaviyoSettingsSchema,
  send,
  deleteUser,
};

// Amplitude: track/page/screen through the HTTP V2 API
// (https://amplitude.com/docs/apis/analytics/http-v2), identify through the Identify API
// (https://amplitude.com/docs/apis/analytics/identify), deletion through the User Privacy API
// (https://amplitude.com/docs/apis/analytics/user-privacy).
import { z, type JsonObject, type NormalizedMessage } from "../message/index.ts";
import {
  missingIdentifier,
  unsupported,
  type DeletionSubject,
  type DestinationAdapter,
  type DestinationContext,
} from "./adapter.ts";
import { eventTimeMs, propertiesOf, stringAt, userTraits } from "./event-fields.ts";
import { jsonPost, parseJsonBody, sendRequest } from "./http-send.ts";

export const amplitudeSettingsSchema = z.strictObject({
  apiKey: z.string().min(1),
  /** Only needed for user deletion (Basic auth apiKey:secretKey). */
  secretKey: z.string().min(1).optional(),
  region: z.enum(["us", "eu"]).default("us"),
});
export type AmplitudeSettings = z.infer<typeof amplitudeSettingsSchema>;

const HOSTS = {
  us: { ingest: "https://api2.amplitude.com", privacy: "https://amplitude.com" },
  eu: { ingest: "https://api.eu.amplitude.com", privacy: "https://analytics.eu.amplitude.com" },
};

function eventType(event: NormalizedMessage): string | undefined {
  if (event.type === "track") return event.event;
  // Segment's Amplitude mapping names page/screen views this way.
  if (event.type === "page") return event.name ? `Viewed ${event.name} Page` : "Loaded a Page";
  if (event.type === "screen")
    return event.name ? `Viewed ${event.name} Screen` : "Loaded a Screen";
  return undefined;
}

/** The Amplitude event object (HTTP V2 "Keys for the event argument"). */
export function toAmplitudeEvent(event: NormalizedMessage): JsonObject | undefined {
  const type = eventType(event);
  if (type === undefined) return undefined;
  const out: JsonObject = {
    event_type: type,
    time: eventTimeMs(event),
    insert_id: event.messageId,
    event_properties: propertiesOf(event),
  };
  if (event.userId) out.user_id = event.userId;
  if (event.anonymousId) out.device_id = event.anonymousId;
  const ip = stringAt(event.context, "ip");
  if (ip) out.ip = ip;
  const revenue = propertiesOf(event).revenue;
  if (typeof revenue === "number") out.revenue = revenue;
  const library = stringAt(event.context, "library.name");
  if (library) out.library = library;
  return out;
}

async function send(
  event: NormalizedMessage,
  settings: AmplitudeSettings,
  ctx: DestinationContext,
) {
  if (!event.userId && !event.anonymousId) return missingIdentifier("userId or anonymousId");
  const host = HOSTS[settings.region].ingest;
  if (event.type === "identify") {
    const identification = [
      {
        user_id: event.userId,
        device_id: event.anonymousId,
        user_properties: { $set: userTraits(event) },
      },
    ];
    const form = new URLSearchParams({
      api_key: settings.apiKey,
      identification: JSON.stringify(identification),
    });
    const request = new Request(`${host}/identify`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    return sendRequest(request, ctx);
  }
  const amplitudeEvent = toAmplitudeEvent(event);
  if (!amplitudeEvent)
    return unsupported(`Amplitude takes track, page, screen and identify, not ${event.type}`);
  return sendRequest(
    jsonPost(`${host}/2/httpapi`, { api_key: settings.apiKey, events: [amplitudeEvent] }),
    ctx,
    (body, response) => {
      // A 200 whose body does not confirm ingestion is not a delivery (silent batch failure guard).
      const parsed = parseJsonBody(body) as { events_ingested?: unknown } | undefined;
      if (parsed?.events_ingested === 1) return undefined;
      return {
        status: "failed",
        httpStatus: response.status,
        error: `AMPLITUDE_NOT_INGESTED: ${body.slice(0, 200)}`,
      };
    },
  );
}

async function deleteUser(
  subject: DeletionSubject,
  settings: AmplitudeSettings,
  ctx: DestinationContext,
) {
  if (!subject.userId) return missingIdentifier("userId");
  if (!settings.secretKey)
    return {
      status: "failed" as const,
      httpStatus: null,
      error: "INVALID_SETTINGS: secretKey is required for deletion",
    };
  const auth = btoa(`${settings.apiKey}:${settings.secretKey}`);
  const request = jsonPost(
    `${HOSTS[settings.region].privacy}/api/2/deletions/users`,
    { user_ids: [subject.userId], requester: "foyer", ignore_invalid_id: "True" },
    { authorization: `Basic ${auth}` },
  );
  return sendRequest(request, ctx);
}

export const amplitudeDestination: DestinationAdapter<AmplitudeSettings> = {
  name: "amplitude",
  settingsSchema: amplitudeSettingsSchema,
  send,
  deleteUser,
};

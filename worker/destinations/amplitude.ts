// Amplitude: track/page/screen through the HTTP V2 API
// (https://amplitude.com/docs/apis/analytics/http-v2), identify through the Identify API
// (https://amplitude.com/docs/apis/analytics/identify), deletion through the User Privacy API
// (https://amplitude.com/docs/apis/analytics/user-privacy).
import { z, type JsonObject, type NormalizedMessage } from "../message/index.ts";
import {
  missingIdentifier,
  unsupported,
  type DeletionSubject,
  type DeliveryResult,
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

/** One Identify API request for identify calls (`identification` takes an array). */
function identifyRequest(events: readonly NormalizedMessage[], settings: AmplitudeSettings) {
  const identification = events.map((event) => ({
    user_id: event.userId,
    device_id: event.anonymousId,
    user_properties: { $set: userTraits(event) },
  }));
  const form = new URLSearchParams({
    api_key: settings.apiKey,
    identification: JSON.stringify(identification),
  });
  return new Request(`${HOSTS[settings.region].ingest}/identify`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
}

/**
 * One HTTP V2 request; a 200 whose body does not confirm every event ingested is not a delivery
 * (silent batch failure guard). `captureBody` sees the answer, for per-event rejections.
 */
function postEvents(
  events: JsonObject[],
  settings: AmplitudeSettings,
  ctx: DestinationContext,
  captureBody?: (body: string) => void,
): Promise<DeliveryResult> {
  return sendRequest(
    jsonPost(`${HOSTS[settings.region].ingest}/2/httpapi`, { api_key: settings.apiKey, events }),
    ctx,
    (body, response) => {
      const parsed = parseJsonBody(body) as { events_ingested?: unknown } | undefined;
      if (parsed?.events_ingested === events.length) return undefined;
      return {
        status: "failed",
        httpStatus: response.status,
        error: `AMPLITUDE_NOT_INGESTED: ${body.slice(0, 200)}`,
      };
    },
    captureBody,
  );
}

const notTaken = (event: NormalizedMessage) =>
  unsupported(`Amplitude takes track, page, screen and identify, not ${event.type}`);

async function send(
  event: NormalizedMessage,
  settings: AmplitudeSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  if (!event.userId && !event.anonymousId) return missingIdentifier("userId or anonymousId");
  if (event.type === "identify") return sendRequest(identifyRequest([event], settings), ctx);
  const amplitudeEvent = toAmplitudeEvent(event);
  if (!amplitudeEvent) return notTaken(event);
  return postEvents([amplitudeEvent], settings, ctx);
}

/** HTTP V2 takes up to 2,000 events a request (https://amplitude.com/docs/apis/analytics/http-v2). */
const MAX_BATCH = 1_000;

/** Indexes a 400 names in `events_with_invalid_fields` / `events_with_missing_fields`, with why. */
function rejectedIndexes(body: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (typeof body !== "object" || body === null) return out;
  for (const group of ["events_with_invalid_fields", "events_with_missing_fields"] as const) {
    const fields = (body as Record<string, unknown>)[group];
    if (typeof fields !== "object" || fields === null) continue;
    for (const [field, indexes] of Object.entries(fields as Record<string, unknown>)) {
      if (!Array.isArray(indexes)) continue;
      for (const index of indexes)
        if (Number.isInteger(index)) out.set(index as number, `${group}: ${field}`.slice(0, 120));
    }
  }
  return out;
}

/**
 * Track, page and screen calls in one HTTP V2 request, identifies in one Identify API request. A
 * 400 that names rejected events fails exactly those; Amplitude ingested none of the batch then, so
 * the others are retried (the guide's "remove those events and resend the rest",
 * https://amplitude.com/docs/apis/analytics/http-api-batching-retries); insert_id keeps a resend
 * from counting twice.
 */
async function sendBatch(
  events: readonly NormalizedMessage[],
  settings: AmplitudeSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult[]> {
  const results = new Array<DeliveryResult>(events.length);
  const batch: JsonObject[] = [];
  const slots: number[] = [];
  const identifies: NormalizedMessage[] = [];
  const identifySlots: number[] = [];
  events.forEach((event, slot) => {
    const amplitudeEvent = event.type === "identify" ? undefined : toAmplitudeEvent(event);
    if (!event.userId && !event.anonymousId)
      results[slot] = missingIdentifier("userId or anonymousId");
    else if (event.type === "identify") {
      identifies.push(event);
      identifySlots.push(slot);
    } else if (!amplitudeEvent) results[slot] = notTaken(event);
    else {
      batch.push(amplitudeEvent);
      slots.push(slot);
    }
  });
  if (identifies.length > 0) {
    const identified = await sendRequest(identifyRequest(identifies, settings), ctx);
    for (const slot of identifySlots) results[slot] = identified;
  }
  if (batch.length === 0) return results;
  let rawBody = "";
  const outcome = await postEvents(batch, settings, ctx, (body) => (rawBody = body));
  const rejected =
    outcome.httpStatus === 400
      ? rejectedIndexes(parseJsonBody(rawBody))
      : new Map<number, string>();
  slots.forEach((slot, index) => {
    if (rejected.size === 0) results[slot] = outcome;
    else {
      const why = rejected.get(index);
      results[slot] =
        why === undefined
          ? {
              status: "retry",
              httpStatus: 400,
              error: "AMPLITUDE_BATCH_REJECTED: resent without the rejected events",
            }
          : { status: "failed", httpStatus: 400, error: `AMPLITUDE_EVENT_REJECTED: ${why}` };
    }
  });
  return results;
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
  batchSize: () => MAX_BATCH,
  sendBatch,
  deleteUser,
};

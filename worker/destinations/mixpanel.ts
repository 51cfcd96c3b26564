// Mixpanel: events through the Import API with `strict=1`
// (https://developer.mixpanel.com/reference/import-events), profiles through Engage
// (https://developer.mixpanel.com/reference/profile-set, /profile-delete). `strict=1` makes Mixpanel
// report each bad record in `failed_records` while importing the rest: the per-record outcome the
// reuse experiment saw collapse to "all 200" when actions-core was bundled twice.
import { z, type JsonObject, type JsonValue, type NormalizedMessage } from "../message/index.ts";
import { sha256Hex } from "../platform/index.ts";
import {
  missingIdentifier,
  unsupported,
  type DeletionSubject,
  type DeliveryResult,
  type DestinationAdapter,
  type DestinationContext,
} from "./adapter.ts";
import { eventTimeMs, propertiesOf, stringAt, textOf, userTraits } from "./event-fields.ts";
import { jsonPost, parseJsonBody, sendRequest } from "./http-send.ts";

export const mixpanelSettingsSchema = z.strictObject({
  projectToken: z.string().min(1),
  /** Project API secret: Basic auth for /import (secret as user, empty password). */
  apiSecret: z.string().min(1),
  region: z.enum(["us", "eu", "in"]).default("us"),
});
export type MixpanelSettings = z.infer<typeof mixpanelSettingsSchema>;

const HOSTS = {
  us: "https://api.mixpanel.com",
  eu: "https://api-eu.mixpanel.com",
  in: "https://api-in.mixpanel.com",
};

/** `$insert_id` must be ≤ 36 chars of [A-Za-z0-9-]; other messageIds are hashed to fit, stably. */
export async function mixpanelInsertId(messageId: string): Promise<string> {
  return /^[A-Za-z0-9-]{1,36}$/.test(messageId)
    ? messageId
    : (await sha256Hex(messageId)).slice(0, 32);
}

/** One Import API record, or undefined for calls Mixpanel's import does not take. */
export async function toMixpanelRecord(event: NormalizedMessage): Promise<JsonObject | undefined> {
  let name: string | undefined;
  if (event.type === "track") name = event.event;
  else if (event.type === "page" || event.type === "screen")
    name = event.name ? `Viewed ${event.name}` : `Loaded a ${event.type}`;
  if (name === undefined) return undefined;
  const distinctId = event.userId ?? event.anonymousId;
  if (!distinctId) return undefined;
  const properties: JsonObject = {
    ...propertiesOf(event),
    time: eventTimeMs(event),
    distinct_id: distinctId,
    $insert_id: await mixpanelInsertId(event.messageId),
  };
  if (event.anonymousId) properties.$device_id = event.anonymousId;
  if (event.userId) properties.$user_id = event.userId;
  const ip = stringAt(event.context, "ip");
  if (ip) properties.ip = ip;
  return { event: name, properties };
}

function importRequest(records: JsonObject[], settings: MixpanelSettings): Request {
  return jsonPost(`${HOSTS[settings.region]}/import?strict=1`, records, {
    authorization: `Basic ${btoa(`${settings.apiSecret}:`)}`,
  });
}

/**
 * Sends events in one Import call and returns one result per event, in order. A 400 with
 * `failed_records` fails exactly those records; the others were imported and count as delivered.
 */
export async function sendMixpanelBatch(
  events: readonly NormalizedMessage[],
  settings: MixpanelSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  const records: JsonObject[] = [];
  const slots: number[] = [];
  for (const event of events) {
    const record = await toMixpanelRecord(event);
    if (record) {
      slots.push(results.length);
      records.push(record);
    }
    results.push(
      record
        ? { status: "delivered", httpStatus: null }
        : unsupported(`Mixpanel import takes track/page/screen with an id, not this ${event.type}`),
    );
  }
  if (records.length === 0) return results;
  let rejected = new Map<number, string>();
  let rawBody = "";
  const confirmsAll = (body: string, response: Response): DeliveryResult | undefined => {
    const parsed = parseJsonBody(body) as { num_records_imported?: unknown } | undefined;
    if (parsed?.num_records_imported === records.length) return undefined;
    return {
      status: "failed",
      httpStatus: response.status,
      error: `MIXPANEL_NOT_IMPORTED: ${body.slice(0, 200)}`,
    };
  };
  const outcome = await sendRequest(
    importRequest(records, settings),
    ctx,
    confirmsAll,
    (body) => (rawBody = body),
  );
  if (outcome.httpStatus === 400) {
    const body = parseJsonBody(rawBody) as { failed_records?: unknown } | undefined;
    if (Array.isArray(body?.failed_records)) {
      rejected = new Map(
        (body.failed_records as Array<{ index?: unknown; message?: unknown }>)
          .filter((record) => typeof record.index === "number")
          .map((record) => [
            record.index as number,
            textOf(record.message as JsonValue | undefined) ?? "rejected",
          ]),
      );
    }
  }
  slots.forEach((slot, index) => {
    if (outcome.httpStatus === 400 && rejected.size > 0) {
      const reason = rejected.get(index);
      results[slot] =
        reason === undefined
          ? { status: "delivered", httpStatus: 400 }
          : { status: "failed", httpStatus: 400, error: `MIXPANEL_RECORD_REJECTED: ${reason}` };
    } else results[slot] = outcome;
  });
  return results;
}

async function send(
  event: NormalizedMessage,
  settings: MixpanelSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  if (event.type === "identify") {
    const distinctId = event.userId ?? event.anonymousId;
    if (!distinctId) return missingIdentifier("userId or anonymousId");
    return engage(
      [{ $token: settings.projectToken, $distinct_id: distinctId, $set: userTraits(event) }],
      settings,
      ctx,
    );
  }
  const [result] = await sendMixpanelBatch([event], settings, ctx);
  return result as DeliveryResult;
}

/**
 * A batch: identifies go to Engage in one call (one answer for all of them), the rest to Import in
 * one call with its per-record answer. Results come back in the order of `events`.
 */
async function sendBatch(
  events: readonly NormalizedMessage[],
  settings: MixpanelSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = new Array<DeliveryResult>(events.length);
  const updates: JsonObject[] = [];
  const updateSlots: number[] = [];
  const others: NormalizedMessage[] = [];
  const otherSlots: number[] = [];
  events.forEach((event, slot) => {
    if (event.type !== "identify") {
      others.push(event);
      otherSlots.push(slot);
      return;
    }
    const distinctId = event.userId ?? event.anonymousId;
    if (!distinctId) results[slot] = missingIdentifier("userId or anonymousId");
    else {
      updates.push({
        $token: settings.projectToken,
        $distinct_id: distinctId,
        $set: userTraits(event),
      });
      updateSlots.push(slot);
    }
  });
  const engaged = updates.length > 0 ? await engage(updates, settings, ctx) : undefined;
  const imported = others.length > 0 ? await sendMixpanelBatch(others, settings, ctx) : [];
  for (const slot of updateSlots) results[slot] = engaged!;
  imported.forEach((result, index) => (results[otherSlots[index]!] = result));
  return results;
}

/** Engage answers 200 with `{"status":0,"error":…}` on a rejected update when `verbose=1`. */
function engage(
  updates: JsonObject[],
  settings: MixpanelSettings,
  ctx: DestinationContext,
): Promise<DeliveryResult> {
  return sendRequest(
    jsonPost(`${HOSTS[settings.region]}/engage?verbose=1`, updates),
    ctx,
    (body, response) => {
      const parsed = parseJsonBody(body) as { status?: unknown; error?: unknown } | undefined;
      if (parsed?.status === 1) return undefined;
      return {
        status: "failed",
        httpStatus: response.status,
        error: `MIXPANEL_ENGAGE_REJECTED: ${(textOf(parsed?.error as JsonValue | undefined) ?? body).slice(0, 200)}`,
      };
    },
  );
}

/** Deletes the user's profile (not their events: that needs Mixpanel's GDPR API and an OAuth token). */
async function deleteUser(
  subject: DeletionSubject,
  settings: MixpanelSettings,
  ctx: DestinationContext,
) {
  if (!subject.userId) return missingIdentifier("userId");
  return engage(
    [{ $token: settings.projectToken, $distinct_id: subject.userId, $delete: null }],
    settings,
    ctx,
  );
}

export const mixpanelDestination: DestinationAdapter<MixpanelSettings> = {
  name: "mixpanel",
  settingsSchema: mixpanelSettingsSchema,
  send,
  /** Import takes 2,000 events a request (https://developer.mixpanel.com/reference/import-events). */
  batchSize: () => 2000,
  sendBatch,
  deleteUser,
};

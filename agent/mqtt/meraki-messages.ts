// Meraki MV Sense and MT sensor MQTT payloads → venue-level events (https://developer.cisco.com/meraki/mv-sense/mqtt). Counts and
// readings describe the venue, so they go to the venue's group and never to a guest profile.
import type { InputDeps, OutboxMessage } from "../controllers/deps.ts";
import { accept, refuse, type ParseResult } from "../controllers/input-error.ts";
import { optionalMacHash } from "../controllers/mac-field.ts";
import { isObject, parseJsonObject, type JsonObject } from "../controllers/payload-fields.ts";
import { venueTrack } from "../controllers/venue-event.ts";
import type { VenueRef } from "../controllers/venue.ts";
import type { MqttTopicKind } from "./config.ts";

export interface MqttInput {
  topic: string;
  payload: string;
  kind: MqttTopicKind;
  receivedAt: Date;
}

function tsOf(body: JsonObject, fallback: Date): ParseResult<Date> {
  const ts = body.ts;
  if (ts === undefined) return accept(fallback);
  // MV sends epoch milliseconds (`{"ts":1714632612326,…}`); MT readings may carry ISO text.
  const date =
    typeof ts === "number" ? new Date(ts) : typeof ts === "string" ? new Date(ts) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()))
    return refuse("invalid_value", "ts", "ts is not a time");
  return accept(date);
}

function countsOf(value: unknown): ParseResult<Record<string, number>> {
  if (!isObject(value)) return refuse("missing_field", "counts", "counts must be an object");
  const counts: Record<string, number> = {};
  for (const [key, n] of Object.entries(value)) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      return refuse(
        "invalid_value",
        `counts.${key}`,
        `counts.${key} must be a non-negative integer`,
      );
    }
    counts[key] = n;
  }
  return accept(counts);
}

function levels(topic: string): string[] {
  return topic.split("/").filter((l) => l !== "");
}

/** Maps one MQTT message; a malformed payload is refused (the subscriber counts and drops it). */
export function mqttVenueMessage(
  input: MqttInput,
  venue: VenueRef,
  identifyMac: InputDeps["identifyMac"],
): ParseResult<OutboxMessage> {
  const parsed = parseJsonObject(input.payload);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  const time = tsOf(body, input.receivedAt);
  if (!time.ok) return time;
  const parts = levels(input.topic);
  const base = { venue, timestamp: time.value, idParts: [input.topic, time.value.toISOString()] };
  if (input.kind === "meraki-mv-count") {
    // `/merakimv/<serial>/<zoneId>`, zone 0 = the whole frame.
    const counts = countsOf(body.counts);
    if (!counts.ok) return counts;
    const [, cameraSerial, zoneId] = parts;
    return accept(
      venueTrack({
        ...base,
        event: "Venue People Counted",
        source: "mqtt.meraki-mv",
        properties: {
          cameraSerial,
          zoneId,
          people: counts.value.person ?? 0,
          counts: counts.value,
        },
      }),
    );
  }
  if (input.kind === "meraki-mv-raw-detections") {
    if (!Array.isArray(body.objects))
      return refuse("missing_field", "objects", "objects must be an array");
    const types = body.objects.map((o) =>
      isObject(o) && typeof o.type === "string" ? o.type : undefined,
    );
    if (types.includes(undefined))
      return refuse("invalid_value", "objects", "every object needs a type");
    return accept(
      venueTrack({
        ...base,
        event: "Venue People Detected",
        source: "mqtt.meraki-mv",
        properties: {
          cameraSerial: parts[1],
          people: types.filter((t) => t === "person").length,
          objects: types.length,
        },
      }),
    );
  }
  // `meraki/v1/mt/{networkId}/ble/{deviceMac}/{metric}`: the sensor's MAC is hashed like any MAC.
  const [, , , networkId, , sensorMac, metric] = parts;
  if (parts.length !== 7 || sensorMac === undefined || metric === undefined) {
    return refuse(
      "invalid_value",
      "topic",
      "expected meraki/v1/mt/{networkId}/ble/{deviceMac}/{metric}",
    );
  }
  const sensorMacHash = optionalMacHash(identifyMac, sensorMac, "topic.deviceMac");
  if (!sensorMacHash.ok) return sensorMacHash;
  const reading = Object.fromEntries(
    Object.entries(body).filter(
      ([k, v]) =>
        k !== "ts" && (typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))),
    ),
  );
  if (Object.keys(reading).length === 0)
    return refuse("missing_field", "$", "no numeric or boolean reading");
  return accept(
    venueTrack({
      ...base,
      event: "Venue Sensor Reported",
      source: "mqtt.meraki-mt",
      properties: { networkId, sensorMacHash: sensorMacHash.value, metric, reading },
    }),
  );
}

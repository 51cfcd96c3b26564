// Aruba Central alert webhooks, both payload generations (https://developer.arubanetworks.com/aruba-central/docs/using-alerts-with-webhooks):
// classic (https://developer.arubanetworks.com/aruba-central/docs/using-alerts-with-webhooks):
//   id, nid, alert_type, timestamp (epoch seconds), state, severity, setting_id, description, details
// new Central (https://developer.arubanetworks.com/new-central/reference/alert-with-webhooks):
//   id, alertId, name, category, severity, time (ISO 8601), state, siteId, additionalDetails, …
import { accept, refuse, type ParseResult } from "../input-error.ts";
import {
  isObject,
  optionalIsoTime,
  optionalString,
  parseJsonObject,
  type JsonObject,
} from "../payload-fields.ts";

export interface ArubaAlertPayload {
  id: string;
  alertType: string;
  time: Date;
  severity?: string;
  state?: string;
  details: JsonObject;
}

function idText(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function epochSeconds(value: unknown): Date | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) return undefined;
  // Classic Central sends epoch seconds; accept milliseconds too rather than land in 1970 or 50000 AD.
  return new Date(n > 1e12 ? n : n * 1000);
}

/** Validates a Central alert (either generation) into one shape. */
export function parseArubaAlert(text: string): ParseResult<ArubaAlertPayload> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  const id = idText(body.id);
  if (id === undefined) return refuse("missing_field", "id", "id is required");
  const alertType = typeof body.alert_type === "string" ? body.alert_type : body.name;
  if (typeof alertType !== "string" || alertType === "") {
    return refuse(
      "missing_field",
      "alert_type",
      "alert_type (classic) or name (new Central) is required",
    );
  }
  let time: Date | undefined;
  if (body.timestamp !== undefined) {
    time = epochSeconds(body.timestamp);
    if (time === undefined)
      return refuse("invalid_value", "timestamp", "timestamp must be epoch seconds");
  } else {
    const iso = optionalIsoTime(body, "time", "time");
    if (!iso.ok) return iso;
    time = iso.value;
  }
  if (time === undefined)
    return refuse("missing_field", "timestamp", "timestamp or time is required");
  const detailsKey = body.details !== undefined ? "details" : "additionalDetails";
  const details = body[detailsKey] ?? {};
  if (!isObject(details))
    return refuse("invalid_type", detailsKey, `${detailsKey} must be an object`);
  const severity = optionalString(body, "severity", "severity");
  if (!severity.ok) return severity;
  const state = optionalString(body, "state", "state");
  if (!state.ok) return state;
  return accept({ id, alertType, time, severity: severity.value, state: state.value, details });
}

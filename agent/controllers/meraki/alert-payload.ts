// Meraki Dashboard alert webhook body (default "Meraki" template, https://developer.cisco.com/meraki/webhooks/,
// https://developer.cisco.com/meraki/webhooks/meraki-custom).
import { accept, refuse, type ParseResult } from "../input-error.ts";
import {
  isObject,
  optionalIsoTime,
  optionalString,
  parseJsonObject,
  requiredString,
  type JsonObject,
} from "../payload-fields.ts";
import { secretsMatch } from "../secret-compare.ts";

export interface MerakiAlertPayload {
  networkId?: string;
  networkName?: string;
  deviceSerial?: string;
  deviceMac?: string;
  deviceName?: string;
  deviceModel?: string;
  alertId?: string;
  alertType: string;
  alertTypeId?: string;
  alertLevel?: string;
  occurredAt: Date;
  /** When Dashboard sent this delivery; the replay window is checked against it. */
  sentAt: Date;
  alertData: JsonObject;
}

const OPTIONAL_TEXT = [
  "networkId",
  "networkName",
  "deviceSerial",
  "deviceMac",
  "deviceName",
  "deviceModel",
  "alertId",
  "alertTypeId",
  "alertLevel",
] as const;

/**
 * The secret arrives in the body (`sharedSecret`) or, with a payload template, in
 * `Authorization: Bearer {{sharedSecret}}` (custom-payload-templates-overview). Either must match.
 */
function checkSecret(
  body: JsonObject,
  authorization: string | undefined,
  expected: string,
): ParseResult<true> {
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  const inBody =
    typeof body.sharedSecret === "string" && body.sharedSecret !== ""
      ? body.sharedSecret
      : undefined;
  if (bearer === undefined && inBody === undefined) {
    return refuse(
      "missing_secret",
      "sharedSecret",
      "sharedSecret (or Authorization: Bearer) is required",
    );
  }
  const given = bearer ?? inBody ?? "";
  if (!secretsMatch(given, expected)) {
    return refuse(
      "wrong_secret",
      bearer !== undefined ? "authorization" : "sharedSecret",
      "secret does not match",
    );
  }
  return accept(true);
}

/** Validates an alert webhook: secret first (constant time), then the fields the mapper uses. */
export function parseMerakiAlert(
  text: string,
  authorization: string | undefined,
  expectedSecret: string,
): ParseResult<MerakiAlertPayload> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  const secret = checkSecret(body, authorization, expectedSecret);
  if (!secret.ok) return secret;
  const alertType = requiredString(body, "alertType", "alertType");
  if (!alertType.ok) return alertType;
  const occurredAt = optionalIsoTime(body, "occurredAt", "occurredAt");
  if (!occurredAt.ok) return occurredAt;
  const sentAt = optionalIsoTime(body, "sentAt", "sentAt");
  if (!sentAt.ok) return sentAt;
  // Required: the default body has it (https://developer.cisco.com/meraki/webhooks/meraki-custom;
  // a custom template must keep it), and without it a captured delivery could be replayed forever
  // (the shared secret is not a signature over anything).
  if (sentAt.value === undefined) return refuse("missing_field", "sentAt", "sentAt is required");
  const when = occurredAt.value ?? sentAt.value;
  const alertData = body.alertData ?? {};
  if (!isObject(alertData))
    return refuse("invalid_type", "alertData", "alertData must be an object");
  const payload: MerakiAlertPayload = {
    alertType: alertType.value,
    occurredAt: when,
    sentAt: sentAt.value,
    alertData,
  };
  for (const key of OPTIONAL_TEXT) {
    const value = optionalString(body, key, key);
    if (!value.ok) return value;
    payload[key] = value.value;
  }
  return accept(payload);
}

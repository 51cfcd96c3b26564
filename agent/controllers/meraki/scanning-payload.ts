// Meraki Scanning API v3 POST body, validated into a typed value.
// Schema: https://developer.cisco.com/meraki/scanning-api/3-0 (https://developer.cisco.com/meraki/scanning-api/3-0). `ipv4`, `ipv6` and
// `userId` ("can be an email, username or a phone number") are deliberately not read: PII.
import { accept, refuse, type ParseResult } from "../input-error.ts";
import {
  isObject,
  lenientNumber,
  optionalIsoTime,
  optionalString,
  parseJsonObject,
  requiredString,
  type JsonObject,
} from "../payload-fields.ts";
import { secretsMatch } from "../secret-compare.ts";

export interface MerakiRssiRecord {
  apMac: string;
  rssi?: number;
}

export interface MerakiLocation {
  time?: Date;
  rssiRecords: MerakiRssiRecord[];
}

export interface MerakiLatestRecord {
  time?: Date;
  nearestApMac?: string;
  nearestApRssi?: number;
}

export interface MerakiObservation {
  clientMac: string;
  ssid?: string;
  locations: MerakiLocation[];
  latestRecord?: MerakiLatestRecord;
}

export interface MerakiScanningPayload {
  version: string;
  type: "WiFi" | "BLE";
  networkId: string;
  observations: MerakiObservation[];
}

/** The only major version this receiver understands ("route messages on the major version"). */
export const SUPPORTED_SCANNING_MAJOR = 3;

function parseRssiRecords(value: unknown, path: string): ParseResult<MerakiRssiRecord[]> {
  if (value === undefined || value === null) return accept([]);
  if (!Array.isArray(value)) return refuse("invalid_type", path, `${path} must be an array`);
  const records: MerakiRssiRecord[] = [];
  for (const [i, item] of value.entries()) {
    const at = `${path}[${i}]`;
    if (!isObject(item)) return refuse("invalid_type", at, `${at} must be an object`);
    const apMac = requiredString(item, "apMac", `${at}.apMac`);
    if (!apMac.ok) return apMac;
    const rssi = lenientNumber(item.rssi, `${at}.rssi`);
    if (!rssi.ok) return rssi;
    records.push({ apMac: apMac.value, rssi: rssi.value });
  }
  return accept(records);
}

function parseLocations(value: unknown, path: string): ParseResult<MerakiLocation[]> {
  if (value === undefined || value === null) return accept([]);
  if (!Array.isArray(value)) return refuse("invalid_type", path, `${path} must be an array`);
  const locations: MerakiLocation[] = [];
  for (const [i, item] of value.entries()) {
    const at = `${path}[${i}]`;
    if (!isObject(item)) return refuse("invalid_type", at, `${at} must be an object`);
    // x, y, lat, lng, variance may be numbers, strings or "NaN": checked for type, not kept.
    for (const key of ["x", "y", "lat", "lng", "variance"]) {
      const n = lenientNumber(item[key], `${at}.${key}`);
      if (!n.ok) return n;
    }
    const time = optionalIsoTime(item, "time", `${at}.time`);
    if (!time.ok) return time;
    const rssiRecords = parseRssiRecords(item.rssiRecords, `${at}.rssiRecords`);
    if (!rssiRecords.ok) return rssiRecords;
    locations.push({ time: time.value, rssiRecords: rssiRecords.value });
  }
  return accept(locations);
}

function parseLatestRecord(
  value: unknown,
  path: string,
): ParseResult<MerakiLatestRecord | undefined> {
  if (value === undefined || value === null) return accept(undefined);
  if (!isObject(value)) return refuse("invalid_type", path, `${path} must be an object`);
  const time = optionalIsoTime(value, "time", `${path}.time`);
  if (!time.ok) return time;
  const ap = optionalString(value, "nearestApMac", `${path}.nearestApMac`);
  if (!ap.ok) return ap;
  const rssi = lenientNumber(value.nearestApRssi, `${path}.nearestApRssi`);
  if (!rssi.ok) return rssi;
  return accept({ time: time.value, nearestApMac: ap.value, nearestApRssi: rssi.value });
}

function parseObservation(item: unknown, at: string): ParseResult<MerakiObservation> {
  if (!isObject(item)) return refuse("invalid_type", at, `${at} must be an object`);
  const clientMac = requiredString(item, "clientMac", `${at}.clientMac`);
  if (!clientMac.ok) return clientMac;
  const ssid = optionalString(item, "ssid", `${at}.ssid`);
  if (!ssid.ok) return ssid;
  const locations = parseLocations(item.locations, `${at}.locations`);
  if (!locations.ok) return locations;
  const latestRecord = parseLatestRecord(item.latestRecord, `${at}.latestRecord`);
  if (!latestRecord.ok) return latestRecord;
  return accept({
    clientMac: clientMac.value,
    ssid: ssid.value,
    locations: locations.value,
    latestRecord: latestRecord.value,
  });
}

function parseVersion(body: JsonObject): ParseResult<string> {
  const raw = body.version;
  if (raw === undefined || raw === null)
    return refuse("missing_field", "version", "version is required");
  if (typeof raw !== "string" && typeof raw !== "number") {
    return refuse("invalid_type", "version", "version must be a string or number");
  }
  const major = Math.trunc(Number(raw));
  if (!Number.isFinite(major)) return refuse("invalid_value", "version", "version is not a number");
  if (major !== SUPPORTED_SCANNING_MAJOR) {
    return refuse(
      "unsupported_version",
      "version",
      `major version ${major} is not supported (expected 3)`,
    );
  }
  return accept(String(raw));
}

/**
 * Validates a Scanning API POST body. The shared secret is checked (constant time) before anything
 * else is looked at, so a forged post learns nothing about the schema.
 */
export function parseMerakiScanning(
  text: string,
  expectedSecret: string,
): ParseResult<MerakiScanningPayload> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  if (typeof body.secret !== "string" || body.secret === "") {
    return refuse("missing_secret", "secret", "secret is required");
  }
  if (!secretsMatch(body.secret, expectedSecret)) {
    return refuse("wrong_secret", "secret", "secret does not match the configured shared secret");
  }
  const version = parseVersion(body);
  if (!version.ok) return version;
  if (body.type !== "WiFi" && body.type !== "BLE") {
    return refuse("invalid_value", "type", 'type must be "WiFi" or "BLE"');
  }
  if (!isObject(body.data)) return refuse("missing_field", "data", "data must be an object");
  const networkId = requiredString(body.data, "networkId", "data.networkId");
  if (!networkId.ok) return networkId;
  const rawObservations = body.data.observations;
  if (!Array.isArray(rawObservations)) {
    return refuse("invalid_type", "data.observations", "data.observations must be an array");
  }
  const observations: MerakiObservation[] = [];
  for (const [i, item] of rawObservations.entries()) {
    const observation = parseObservation(item, `data.observations[${i}]`);
    if (!observation.ok) return observation;
    observations.push(observation.value);
  }
  return accept({
    version: version.value,
    type: body.type,
    networkId: networkId.value,
    observations,
  });
}

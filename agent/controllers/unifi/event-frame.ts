// UniFi Network event-stream frames (`wss://…/wss/s/{site}/events`, unpoller/unifi events.go, https://github.com/unpoller/unifi):
// `{"meta":{"rc":"ok","message":"events"},"data":[{…event…}]}`. Other `meta.message` values
// (`sta:sync`, `device:sync`, …) and the `pong` keep-alive answers are not events and are skipped.
import { accept, refuse, type InputErrorBody, type ParseResult } from "../input-error.ts";
import { isObject, type JsonObject } from "../payload-fields.ts";

/** One event, the fields we read (unpoller/unifi:events.go Event struct; Kane610/aiounifi). */
export interface UnifiEvent {
  id?: string;
  key: string;
  /** Wireless user (`EVT_WU_*`) or guest (`EVT_WG_*`, `EVT_HS_*`, `EVT_AD_Guest*`) client MAC. */
  clientMac?: string;
  ap?: string;
  apFrom?: string;
  apTo?: string;
  apName?: string;
  ssid?: string;
  /** Seconds connected (disconnect events). */
  duration?: number;
  /** Session total bytes (disconnect events). */
  bytes?: number;
  /** Event time; UniFi `time` is epoch **milliseconds**. */
  time: Date;
  minutes?: number;
}

export interface UnifiFrame {
  events: UnifiEvent[];
  /** Events of the frame refused one by one; the others in the frame still count. */
  rejected: InputErrorBody[];
}

function text(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function finite(obj: JsonObject, key: string): number | undefined {
  const value = typeof obj[key] === "string" ? Number(obj[key]) : obj[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function parseEvent(item: unknown, at: string): ParseResult<UnifiEvent> {
  if (!isObject(item)) return refuse("invalid_type", at, `${at} must be an object`);
  const key = text(item, "key");
  if (key === undefined) return refuse("missing_field", `${at}.key`, `${at}.key is required`);
  const ms = finite(item, "time");
  if (ms === undefined || ms <= 0)
    return refuse("missing_field", `${at}.time`, `${at}.time (epoch ms) is required`);
  return accept({
    id: text(item, "_id"),
    key,
    clientMac: text(item, "user") ?? text(item, "guest"),
    ap: text(item, "ap"),
    apFrom: text(item, "ap_from"),
    apTo: text(item, "ap_to"),
    apName: text(item, "ap_displayName") ?? text(item, "ap_name"),
    ssid: text(item, "ssid"),
    duration: finite(item, "duration"),
    bytes: finite(item, "bytes"),
    time: new Date(ms),
    minutes: finite(item, "minutes"),
  });
}

/** Parses one WebSocket text frame; a frame that is not JSON or not an envelope is refused whole. */
export function parseUnifiFrame(frame: string): ParseResult<UnifiFrame> {
  if (frame === "pong") return accept({ events: [], rejected: [] });
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return refuse("invalid_json", "$", "frame is not valid JSON");
  }
  if (!isObject(value) || !isObject(value.meta))
    return refuse("invalid_type", "meta", "frame needs a meta object");
  if (value.meta.message !== "events") return accept({ events: [], rejected: [] });
  if (!Array.isArray(value.data)) return refuse("invalid_type", "data", "data must be an array");
  const frameOut: UnifiFrame = { events: [], rejected: [] };
  for (const [i, item] of value.data.entries()) {
    const event = parseEvent(item, `data[${i}]`);
    if (event.ok) frameOut.events.push(event.value);
    else frameOut.rejected.push(event.error);
  }
  return accept(frameOut);
}

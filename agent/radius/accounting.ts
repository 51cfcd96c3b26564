// Accounting-Request → Segment `track` calls (RFC 2866 §5; Gigawords RFC 2869 §5.1). messageIds are
// derived from (NAS, Acct-Session-Id, status, interim position) so a NAS resend — even one with a
// new Identifier and Acct-Delay-Time — maps to the same messageId and is stored once.
import type { MacIdentity, OutboxMessage } from "../controllers/deps.ts";
import { guestTrack } from "../controllers/guest-event.ts";
import type { VenueRef } from "../controllers/venue.ts";
import { looksLikeMac } from "../mac/normalize.ts";
import { ATTR, STATUS, TERMINATE_CAUSES, readIpv4, readText, readUint32 } from "./attributes.ts";
import { parseCalledStationId } from "./called-station.ts";
import { findAttribute, type RadiusPacket } from "./packet.ts";

export interface AccountingContext {
  /** The NAS as configured (client name or address): the session key's namespace. */
  nas: string;
  venue: VenueRef;
  receivedAt: Date;
  identifyMac(mac: string): MacIdentity;
}

export type AccountingResult =
  | {
      kind: "session";
      status: "start" | "update" | "stop";
      sessionId: string;
      message: OutboxMessage;
      /** Framed-IP-Address: the address the NAS gave the guest (what the portal sees it from). */
      framedIp?: string;
    }
  | { kind: "nas"; status: "on" | "off"; eventTime: Date }
  | { kind: "skip"; reason: string };

const EVENTS = {
  start: "WiFi Session Started",
  update: "WiFi Session Updated",
  stop: "WiFi Session Ended",
} as const;

/** Maps one authenticated Accounting-Request; never throws on odd attribute values. */
export function mapAccounting(packet: RadiusPacket, ctx: AccountingContext): AccountingResult {
  const statusType = readUint32(findAttribute(packet, ATTR.AcctStatusType));
  const eventTime = eventTimeOf(packet, ctx.receivedAt);
  if (statusType === STATUS.AccountingOn) return { kind: "nas", status: "on", eventTime };
  if (statusType === STATUS.AccountingOff) return { kind: "nas", status: "off", eventTime };
  const status =
    statusType === STATUS.Start
      ? "start"
      : statusType === STATUS.Stop
        ? "stop"
        : statusType === STATUS.InterimUpdate
          ? "update"
          : null;
  if (status === null) return { kind: "skip", reason: "unsupported_status_type" };
  const sessionId = readText(findAttribute(packet, ATTR.AcctSessionId));
  if (!sessionId) return { kind: "skip", reason: "no_session_id" };
  const calling = readText(findAttribute(packet, ATTR.CallingStationId));
  if (calling === undefined || !looksLikeMac(calling))
    return { kind: "skip", reason: "no_calling_station_mac" };
  const mac = ctx.identifyMac(calling);
  const station = parseCalledStationId(readText(findAttribute(packet, ATTR.CalledStationId)));
  const duration = readUint32(findAttribute(packet, ATTR.AcctSessionTime));
  // Interim position: the session time when present (monotonic per session), else the event time.
  const position =
    status === "update" ? String(duration ?? Math.floor(eventTime.getTime() / 1000)) : "";
  const message = guestTrack({
    event: EVENTS[status],
    mac,
    timestamp: eventTime,
    venue: ctx.venue,
    place: {
      ...(station.apMac ? { apMacHash: ctx.identifyMac(station.apMac).hash } : {}),
      ...(station.ssid ? { ssid: station.ssid } : {}),
    },
    source: "radius.accounting",
    idParts: [ctx.nas, sessionId, status, position],
    properties: sessionProperties(packet, ctx.nas, sessionId, status),
  });
  const framedIp = readIpv4(findAttribute(packet, ATTR.FramedIpAddress));
  return { kind: "session", status, sessionId, message, ...(framedIp ? { framedIp } : {}) };
}

function sessionProperties(
  packet: RadiusPacket,
  nas: string,
  sessionId: string,
  status: string,
): Record<string, unknown> {
  const u = (type: number) => readUint32(findAttribute(packet, type));
  const bytes = (octets: number, gigawords: number) => {
    const low = u(octets);
    return low === undefined ? undefined : (u(gigawords) ?? 0) * 2 ** 32 + low;
  };
  const cause = u(ATTR.AcctTerminateCause);
  return {
    sessionId,
    nas,
    nasIdentifier: readText(findAttribute(packet, ATTR.NasIdentifier)),
    durationSeconds: u(ATTR.AcctSessionTime),
    bytesIn: bytes(ATTR.AcctInputOctets, ATTR.AcctInputGigawords),
    bytesOut: bytes(ATTR.AcctOutputOctets, ATTR.AcctOutputGigawords),
    packetsIn: u(ATTR.AcctInputPackets),
    packetsOut: u(ATTR.AcctOutputPackets),
    terminateCause:
      status === "stop" && cause !== undefined
        ? (TERMINATE_CAUSES[cause] ?? `Unknown-${cause}`)
        : undefined,
  };
}

/** Event-Timestamp (RFC 2869 §5.3), else receive time minus Acct-Delay-Time (RFC 2866 §5.2). */
function eventTimeOf(packet: RadiusPacket, receivedAt: Date): Date {
  const ts = readUint32(findAttribute(packet, ATTR.EventTimestamp));
  if (ts !== undefined && ts > 0) return new Date(ts * 1000);
  const delay = readUint32(findAttribute(packet, ATTR.AcctDelayTime)) ?? 0;
  return new Date(Math.floor((receivedAt.getTime() - delay * 1000) / 1000) * 1000);
}

/** `WiFi Session Ended` for a session the NAS closed implicitly with Accounting-On/Off. */
export function nasRestartEnd(
  session: { sessionId: string; macHash: string; randomized: boolean; startedAt: number },
  nas: string,
  status: "on" | "off",
  eventTime: Date,
  venue: VenueRef,
): OutboxMessage {
  return guestTrack({
    event: EVENTS.stop,
    mac: { hash: session.macHash, randomized: session.randomized },
    timestamp: eventTime,
    venue,
    place: {},
    source: "radius.accounting",
    // Same id as the NAS's own Stop would have: whichever arrives first is the one stored.
    idParts: [nas, session.sessionId, "stop", ""],
    properties: {
      sessionId: session.sessionId,
      nas,
      durationSeconds: Math.max(0, Math.round((eventTime.getTime() - session.startedAt) / 1000)),
      terminateCause: status === "on" ? "NAS-Reboot" : "NAS-Request",
    },
  });
}

// Accounting-Request → outbox (and the open-session table that Accounting-On/Off needs).
import type { InputDeps, OutboxClass, OutboxMessage } from "../controllers/deps.ts";
import type { VenueRef } from "../controllers/venue.ts";
import { mapAccounting, nasRestartEnd } from "./accounting.ts";
import type { OpenSessions } from "./open-sessions.ts";
import type { RadiusPacket } from "./packet.ts";

/** What recording accounting needs (the RADIUS server's deps satisfy it; no import of the server). */
export interface AccountingDeps extends Pick<
  InputDeps,
  "append" | "count" | "log" | "now" | "identifyMac"
> {
  appendDurably?: (messages: OutboxMessage[], cls: OutboxClass) => Promise<void>;
  openSessions: OpenSessions;
  venue: VenueRef;
}

function appendVia(d: AccountingDeps, messages: OutboxMessage[], cls: OutboxClass): Promise<void> {
  if (d.appendDurably) return d.appendDurably(messages, cls);
  d.append(messages, cls);
  return Promise.resolve();
}

/**
 * Maps an authenticated Accounting-Request and appends its events; resolves once they are durable.
 * Accounting-On/Off end the NAS's open sessions (RFC 2866 §5.1).
 */
export async function recordAccounting(
  packet: RadiusPacket,
  nas: string,
  d: AccountingDeps,
): Promise<void> {
  const result = mapAccounting(packet, {
    nas,
    venue: d.venue,
    receivedAt: d.now(),
    identifyMac: (m) => d.identifyMac(m),
  });
  const sessions = d.openSessions;
  if (result.kind === "skip") {
    d.count(`radius.acct.skipped.${result.reason}`);
    d.log.warn("accounting-request acknowledged but not recorded", {
      reason: result.reason,
      nas,
    });
  } else if (result.kind === "nas") {
    const ends = sessions
      .list(nas)
      .map((s) => nasRestartEnd(s, nas, result.status, result.eventTime, d.venue));
    if (ends.length > 0) await appendVia(d, ends, "session");
    sessions.closeAll(nas);
    d.count(`radius.acct.accounting_${result.status}`);
    d.log.info("nas accounting restart: open sessions ended", {
      nas,
      status: result.status,
      ended: ends.length,
    });
  } else {
    await appendVia(d, [result.message], "session");
    if (result.status === "stop") sessions.close(nas, result.sessionId);
    else {
      const props = result.message.properties ?? {};
      const duration = typeof props.durationSeconds === "number" ? props.durationSeconds : 0;
      sessions.open(nas, {
        sessionId: result.sessionId,
        macHash: result.message.anonymousId ?? "",
        randomized: props.randomizedMac === true,
        ...(result.framedIp ? { framedIp: result.framedIp } : {}),
        // First seen at an Interim-Update: the session began Acct-Session-Time earlier.
        startedAt: Date.parse(result.message.timestamp) - duration * 1000,
      });
    }
    d.count(`radius.acct.${result.status}`);
  }
}

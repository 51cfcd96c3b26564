// RADIUS accounting load for the agent's end-to-end tests and benchmark: radclient request files
// (one attribute list per packet, blank-line separated, as `radclient -f` reads them) of guest
// sessions shaped like the vendor captures in RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21, with the Calling-Station-Id
// written in every vendor MAC format. Each packet carries a Proxy-State tag: RFC 2865 §5.33 makes
// the server copy it into its reply, so a reply names the exact request it acknowledges.

export type AcctStatus = "Start" | "Interim-Update" | "Stop";

export interface AccountingPacket {
  /** Position in the file; also the Proxy-State tag. */
  index: number;
  sessionId: string;
  status: AcctStatus;
  /** The guest MAC as written in the packet (one of the vendor formats). */
  mac: string;
  /** radclient attribute lines. */
  text: string;
}

/** The event the agent maps each Acct-Status-Type to (issue 5). */
export const EVENT_OF: Record<AcctStatus, string> = {
  Start: "WiFi Session Started",
  "Interim-Update": "WiFi Session Updated",
  Stop: "WiFi Session Ended",
};

/** The vendor spellings of one MAC (RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21, RFC 3580 §3.21, Cisco dotted). */
export function macFormats(octets: readonly number[]): string[] {
  const hex = octets.map((o) => o.toString(16).padStart(2, "0"));
  const bare = hex.join("");
  return [
    hex.join(":"),
    hex.join("-").toUpperCase(),
    `${bare.slice(0, 4)}.${bare.slice(4, 8)}.${bare.slice(8)}`,
    bare,
    bare.toUpperCase(),
    hex.join(":").toUpperCase(),
    hex.join("-"),
  ];
}

/**
 * The guest MAC of session `i`: unique per `runTag` (0-255) and session, and every other one
 * locally administered (a randomized private address, IEEE 802 §8.2).
 */
export function guestMacOctets(runTag: number, i: number): number[] {
  const first = i % 2 === 0 ? 0xf2 : 0x3c;
  return [first, 0x62, runTag & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff];
}

export interface LoadOptions {
  /** Guest sessions; each yields one packet per status in `statuses`. */
  sessions: number;
  /** Distinguishes runs sharing one outbox or edge source (session ids and MACs). */
  runTag: number;
  statuses?: readonly AcctStatus[];
  /**
   * Distinct guest MACs the sessions cycle through (default: one per session). Each distinct guest
   * is an identity (a Durable Object) at the edge: large loads use few guests to stay fast.
   */
  guests?: number;
}

/** Builds the packets: for every status, every session (so Starts precede their Stops). */
export function accountingPackets(options: LoadOptions): AccountingPacket[] {
  const statuses = options.statuses ?? ["Start", "Interim-Update", "Stop"];
  const packets: AccountingPacket[] = [];
  for (const [round, status] of statuses.entries()) {
    for (let i = 0; i < options.sessions; i++) {
      // Each packet of a session spells the MAC differently: one guest must still be one hash.
      const formats = macFormats(guestMacOctets(options.runTag, i % (options.guests ?? Infinity)));
      const mac = formats[(i + round) % formats.length]!;
      const ap = macFormats([0xd0, 0x15, 0xa6, 0xc2, 0x74, i % 8])[i % 3]!;
      const sessionId = `e2e-${options.runTag}-${i.toString(16).padStart(6, "0")}`;
      const index = packets.length;
      const lines = [
        `Acct-Status-Type = ${status}`,
        `Acct-Session-Id = "${sessionId}"`,
        `Calling-Station-Id = "${mac}"`,
        `Called-Station-Id = "${ap}:Guest WiFi"`,
        `NAS-Identifier = "venue-01"`,
        `Proxy-State = 0x${index.toString(16).padStart(8, "0")}`,
      ];
      if (status !== "Start") {
        const seconds = status === "Stop" ? 1058 : 600;
        lines.push(
          `Acct-Session-Time = ${seconds}`,
          `Acct-Input-Octets = ${1000 + i}`,
          `Acct-Output-Octets = ${2000 + i}`,
          "Acct-Input-Gigawords = 1",
        );
      }
      if (status === "Stop") lines.push("Acct-Terminate-Cause = User-Request");
      packets.push({ index, sessionId, status, mac, text: `${lines.join("\n")}\n` });
    }
  }
  return packets;
}

/** The `radclient -f` file for `packets` (attribute lists separated by a blank line). */
export function radclientFile(packets: readonly AccountingPacket[]): string {
  return packets.map((p) => p.text).join("\n");
}

// End to end (issue 5, "Tests with real peers"): FreeRADIUS radclient → the agent process
// (`node agent/main.ts start`) → Foyer's edge under wrangler's local runtime → D1 and the R2
// archive. Guest MACs arrive in every vendor spelling; only their keyed hashes may leave the agent.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashMac } from "../../agent/mac/hash.ts";
import {
  EVENT_OF,
  accountingPackets,
  guestMacOctets,
  macFormats,
  radclientFile,
} from "../bench/agent-accounting-load.ts";
import { hasRadclient, runRadclient } from "../bench/agent-radclient.ts";
import {
  archiveTexts,
  expectStoredOnce,
  storedSessionEvents,
  waitForCounts,
} from "./agent-edge.ts";
import { venueStackPerSuite, warnWithoutRadclient } from "./venue-stack.ts";

const VENUE_KEY = "e2e-radius-venue-key";
const RADIUS_SECRET = "e2e-radius-secret";
const SESSIONS = 7; // one per MAC spelling in macFormats
const RUN_TAG = 0x51;
const STORE_TIMEOUT_MS = 60_000;

warnWithoutRadclient("test/e2e/agent-radius.test.ts");

describe.skipIf(!hasRadclient)("radclient accounting → agent → edge", () => {
  const stack = venueStackPerSuite("agent-radius", {
    venueKey: VENUE_KEY,
    radiusSecret: RADIUS_SECRET,
  });

  it("stores start / interim / stop of every session once, with hashed MACs only", async () => {
    const { edge } = stack.venue;
    const packets = accountingPackets({ sessions: SESSIONS, runTag: RUN_TAG });
    const file = path.join(stack.dir, "accounting.txt");
    await writeFile(file, radclientFile(packets));
    const run = await runRadclient({
      port: stack.agent.ports.radiusAcct,
      secret: RADIUS_SECRET,
      file,
      parallel: 4,
      retries: 3,
      tagged: true,
    });
    expect(run.exitCode).toBe(0);
    expect(run.replies.sort((a, b) => a - b)).toEqual(packets.map((p) => p.index));

    await expectStoredOnce(stack.venue, packets.length, STORE_TIMEOUT_MS);

    const stored = await storedSessionEvents(stack.venue);
    for (const packet of packets) {
      const event = stored.find(
        (e) => e.sessionId === packet.sessionId && e.event === EVENT_OF[packet.status],
      );
      expect(event, `${packet.status} of ${packet.sessionId}`).toBeDefined();
      // Every spelling of the guest's MAC (one per packet of a session) is the same keyed hash.
      expect(event?.anonymousId).toBe(hashMac(VENUE_KEY, packet.mac));
    }
    const stop = JSON.parse(
      stored.find((e) => e.sessionId === packets[0]!.sessionId && e.event === EVENT_OF.Stop)!.body,
    ) as { properties: Record<string, unknown>; context: Record<string, unknown> };
    expect(stop.properties).toMatchObject({
      ssid: "Guest WiFi",
      durationSeconds: 1058,
      bytesIn: 2 ** 32 + 1000,
      bytesOut: 2000,
      terminateCause: "User-Request",
      randomizedMac: true,
    });
    expect(stop.context.externalIds).toEqual([
      expect.objectContaining({ type: "wifi_mac", encoding: "hmac-sha256" }),
    ]);

    // No raw MAC, in any spelling, in D1, the R2 archive or the agent's log.
    const archive = await archiveTexts(stack.venue);
    expect(archive.join("").split("\n").filter(Boolean)).toHaveLength(packets.length);
    const everything = [...stored.map((e) => e.body), ...archive, ...stack.agent.lines]
      .join("\n")
      .toLowerCase();
    const raw = new Set<string>();
    for (let i = 0; i < SESSIONS; i++) {
      for (const mac of macFormats(guestMacOctets(RUN_TAG, i))) raw.add(mac.toLowerCase());
    }
    for (let ap = 0; ap < 8; ap++) {
      for (const mac of macFormats([0xd0, 0x15, 0xa6, 0xc2, 0x74, ap])) raw.add(mac.toLowerCase());
    }
    expect(raw.size).toBe(4 * (SESSIONS + 8)); // colon, dash, dotted, bare (case folded)
    expect([...raw].filter((mac) => everything.includes(mac))).toEqual([]);
    // The haystack is the real one: it holds the sessions and their hashes.
    expect(everything).toContain(packets[0]!.sessionId);
    expect(everything).toContain(hashMac(VENUE_KEY, packets[0]!.mac));
    expect(edge.url.hostname).toBe("127.0.0.1");
  });

  it("acknowledges a resent file again but stores nothing twice", async () => {
    const packets = accountingPackets({ sessions: SESSIONS, runTag: RUN_TAG });
    const file = path.join(stack.dir, "accounting.txt");
    const run = await runRadclient({
      port: stack.agent.ports.radiusAcct,
      secret: RADIUS_SECRET,
      file,
      parallel: 4,
      retries: 3,
      tagged: true,
    });
    expect(run.replies).toHaveLength(packets.length);
    const status = await stack.agent.status();
    expect(status.outbox.depth).toBe(0);
    expect(status.outbox.parked).toBe(0);
    const counts = await waitForCounts(stack.venue, () => false, 2_000);
    expect(counts.rows).toBe(packets.length);
    expect(counts.archived).toBe(packets.length);
  });

  it("drops accounting signed with a wrong secret: no reply, nothing stored", async () => {
    const packets = accountingPackets({ sessions: 2, runTag: RUN_TAG + 1 });
    const file = path.join(stack.dir, "forged.txt");
    await writeFile(file, radclientFile(packets));
    const run = await runRadclient({
      port: stack.agent.ports.radiusAcct,
      secret: "not-the-nas-secret",
      file,
      // All in flight at once: radclient gives up on the rest after the first unanswered window.
      parallel: packets.length,
      retries: 1,
      timeoutSeconds: 1,
      tagged: true,
    });
    expect(run.replies).toEqual([]);
    expect(run.accepted).toBe(0);
    const status = await stack.agent.status();
    expect(status.counters["radius.acct.bad_authenticator"]).toBe(packets.length);
    expect(status.outbox.depth).toBe(0);
    const stored = await storedSessionEvents(stack.venue);
    expect(stored.filter((e) => e.sessionId.startsWith(`e2e-${RUN_TAG + 1}-`))).toEqual([]);
  });
});

// Invariant 6 end to end (issue 5, "Tests with real peers"): the agent loses nothing and the edge
// duplicates nothing. (a) `kill -9` the agent process while 10,000 RADIUS accounting requests flow
// in; every request it answered must reach the edge after a restart on the same outbox, and once
// the NAS resends what went unanswered the edge holds exactly 10,000 distinct events. (b) The edge
// goes away for a while; the agent keeps answering, and after the edge returns nothing is missing.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  EVENT_OF,
  accountingPackets,
  radclientFile,
  type AccountingPacket,
} from "../bench/agent-accounting-load.ts";
import { hasRadclient, runRadclient } from "../bench/agent-radclient.ts";
import {
  restartVenueEdge,
  storedCounts,
  storedSessionEvents,
  expectStoredOnce,
  waitForCounts,
} from "./agent-edge.ts";
import { startAgentChild, type AgentChild, type AgentStatusDocument } from "./agent-process.ts";
import { venueStackPerSuite, warnWithoutRadclient, type VenueStack } from "./venue-stack.ts";

const VENUE_KEY = "e2e-durability-venue-key";
const RADIUS_SECRET = "e2e-durability-secret";
const KILL_AFTER_ACKS = 3_000;
const STORE_TIMEOUT_MS = 90_000;
// Sessions cycle through few guests: each distinct guest is an identity Durable Object at the
// edge, and thousands of them would make this test about identity throughput, not durability.
const GUESTS = 20;

warnWithoutRadclient("test/e2e/agent-durability.test.ts");

let stack: VenueStack;

/** Sends `packets` with radclient; resolves with the indexes the agent acknowledged. */
async function send(
  packets: readonly AccountingPacket[],
  name: string,
  onReply?: (tag: number) => void,
  signal?: AbortSignal,
): Promise<Set<number>> {
  const file = path.join(stack.dir, `${name}.txt`);
  await writeFile(file, radclientFile(packets));
  const run = await runRadclient({
    port: stack.agent.ports.radiusAcct,
    secret: RADIUS_SECRET,
    file,
    parallel: 32,
    retries: 3,
    timeoutSeconds: 2,
    tagged: true,
    ...(onReply ? { onReply } : {}),
    ...(signal ? { signal } : {}),
  });
  return new Set(run.replies);
}

/** Stored events of the source mapped back to packet indexes (by session id and event name). */
async function storedIndexes(packets: readonly AccountingPacket[]): Promise<Set<number>> {
  const byKey = new Map(packets.map((p) => [`${p.sessionId}|${EVENT_OF[p.status]}`, p.index]));
  const found = new Set<number>();
  for (const e of await storedSessionEvents(stack.venue)) {
    const index = byKey.get(`${e.sessionId}|${e.event}`);
    if (index !== undefined) found.add(index);
  }
  return found;
}

describe.skipIf(!hasRadclient)("agent durability with a real edge", () => {
  stack = venueStackPerSuite("agent-durability", {
    venueKey: VENUE_KEY,
    radiusSecret: RADIUS_SECRET,
    synchronous: "full",
  });
  // Later starts reuse these ports: the NAS keeps sending to the same address.
  beforeAll(() => {
    stack.settings.ports = stack.agent.ports;
  });

  it("kill -9 during 10,000 accounting requests: every answered one arrives, none twice", async () => {
    const packets = accountingPackets({
      sessions: 5_000,
      runTag: 0xa1,
      statuses: ["Start", "Stop"],
      guests: GUESTS,
    });
    expect(packets).toHaveLength(10_000);
    let killing: Promise<void> | undefined;
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(), 60_000);
    let replies = 0;
    const acked = await send(
      packets,
      "flood",
      () => {
        if (++replies === KILL_AFTER_ACKS) killing = stack.agent.kill9();
      },
      abort.signal,
    );
    clearTimeout(deadline);
    await killing;
    expect(killing, "the agent was killed mid-stream").toBeDefined();
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(acked.size).toBeLessThan(packets.length);

    stack.agent = await startAgentChild(stack.settings);
    await waitForCounts(stack.venue, (c) => c.rows >= acked.size, STORE_TIMEOUT_MS);
    await waitForDrain(stack.agent);
    const afterRestart = await storedIndexes(packets);
    expect([...acked].filter((i) => !afterRestart.has(i))).toEqual([]);

    // The NAS resends what it never got an answer for (some of it was committed before the kill).
    const unanswered = packets.filter((p) => !acked.has(p.index));
    const resent = await send(unanswered, "resend");
    expect(resent.size).toBe(unanswered.length);

    await expectStoredOnce(stack.venue, packets.length, STORE_TIMEOUT_MS);
    expect((await storedIndexes(packets)).size).toBe(packets.length);
  }, 240_000);

  it("the edge stops for a while: the agent keeps answering and delivers everything after", async () => {
    const before = await storedCounts(stack.venue);
    await stack.venue.edge.stop();
    const packets = accountingPackets({
      sessions: 500,
      runTag: 0xb2,
      statuses: ["Start", "Stop"],
      guests: GUESTS,
    });
    const acked = await send(packets, "offline");
    expect(acked.size).toBe(packets.length);
    // The uplink has tried and failed (connection refused) while the edge is gone.
    const offline = await waitForStatus(stack.agent, (s) => s.uplink.lastResult?.status === null);
    expect(offline.uplink.lastResult).toMatchObject({ ok: false, status: null });
    expect(offline.outbox.depth).toBe(packets.length);

    stack.venue = await restartVenueEdge(stack.venue);
    // Guests keep connecting after the edge is back: a few new sessions every round, each
    // answered by the agent, until the edge holds everything (bounded by the round count).
    const trickle: AccountingPacket[] = [];
    let counts = await storedCounts(stack.venue);
    for (let round = 0; round < 40; round++) {
      if (counts.rows >= before.rows + packets.length + trickle.length) break;
      const fresh = accountingPackets({ sessions: 5, runTag: 0xc0 + round, statuses: ["Start"] });
      expect((await send(fresh, `trickle-${round}`)).size).toBe(fresh.length);
      trickle.push(...fresh);
      counts = await waitForCounts(
        stack.venue,
        (c) => c.rows >= before.rows + packets.length + trickle.length,
        3_000,
      );
    }
    const total = before.rows + packets.length + trickle.length;
    counts = await waitForCounts(
      stack.venue,
      (c) => c.rows >= total && c.archived >= total,
      30_000,
    );
    expect(counts).toEqual({ rows: total, distinctMessageIds: total, archived: total });
    expect((await storedIndexes(packets)).size).toBe(packets.length);
    await waitForDrain(stack.agent);
  }, 180_000);
});

/** Polls the agent's `/status` until `done` holds or the store timeout passes. */
async function waitForStatus(
  child: AgentChild,
  done: (status: AgentStatusDocument) => boolean,
): Promise<AgentStatusDocument> {
  const deadline = Date.now() + STORE_TIMEOUT_MS;
  let status = await child.status();
  while (!done(status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = await child.status();
  }
  return status;
}

/** Waits until the agent's outbox is empty (every event acknowledged by the edge). */
async function waitForDrain(child: AgentChild): Promise<void> {
  const status = await waitForStatus(child, (s) => s.outbox.depth === 0 && s.outbox.parked === 0);
  expect(status.outbox).toMatchObject({ depth: 0, parked: 0 });
}

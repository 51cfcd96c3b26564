// Identity converges through the real path (docs/architecture.md "Identity converges", "No lost
// update", "Replay"): 2,200 events over ~450 identifiers, sent concurrently in random order through
// the Tracking API, Queue and consumer into the Durable Objects, for several seeds. The final
// partition equals the reference union-find and every profile's traits equal their
// last-writer-wins value. Replaying one ordered log into two empty spaces gives identical exports.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  hashIdentifiers,
  identifierKey,
  importIdentitySecret,
} from "../../../worker/identity/hashing.ts";
import { extractIdentifiers } from "../../../worker/identity/identifiers.ts";
import { DEFAULT_IDENTITY_RULES } from "../../../worker/identity/settings.ts";
import { referencePartition } from "../../../worker/identity/union-find.ts";
import type { JsonObject, JsonValue, NormalizedMessage } from "../../../worker/message/message.ts";
import { convergenceWorkload } from "./convergence-workload.ts";
import { seededRandom } from "./seeded-random.ts";
import { checkMessage } from "../../../worker/message/validate.ts";
import {
  admin,
  eventually,
  newSource,
  storedEventually,
  track,
  type TestSource,
} from "../support.ts";

const SEEDS = [5, 17, 29];
const PEOPLE = 120;
const EVENTS = 2500;
const BATCH = 50;
const CONCURRENCY = 6;

interface Export {
  profiles: Record<
    string,
    { identifiers: string[]; profile: { traits: JsonObject; events: string[]; links: string[] } }
  >;
}

/** The workload's events a Segment client could send: the edge refuses e.g. an empty anonymousId. */
function sendable(events: readonly NormalizedMessage[]): NormalizedMessage[] {
  return events.filter((m) => {
    try {
      checkMessage(asSent(m));
      return true;
    } catch {
      return false;
    }
  });
}

function asSent(m: NormalizedMessage): Record<string, unknown> {
  const { receivedAt: _r, originalTimestamp: _o, version: _v, ...sent } = m;
  return sent;
}

async function sendAll(
  s: TestSource,
  events: readonly NormalizedMessage[],
  concurrency: number,
): Promise<void> {
  const batches: NormalizedMessage[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const res = await track(s.writeKey, "/v1/batch", { batch: batch.map(asSent) });
        expect(res.status).toBe(200);
      }
    }),
  );
}

async function settledExport(s: TestSource, total: number): Promise<Export> {
  await storedEventually(s.sourceId, total, 120_000);
  return eventually(async () => {
    const exported = await admin<Export>("GET", `/spaces/${s.spaceId}/profiles/export`);
    const placed = Object.values(exported.profiles).reduce(
      (n, p) => n + p.profile.events.length,
      0,
    );
    return placed === total ? exported : undefined;
  }, 120_000);
}

async function spaceKey(spaceId: string): Promise<CryptoKey> {
  const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
  const secret = await runInDurableObject(graph, (_, state) =>
    state.storage.kv.get<string>("secret"),
  );
  return importIdentitySecret(secret!);
}

function expectedTraits(events: readonly NormalizedMessage[]): JsonObject {
  const last = new Map<string, { at: number; messageId: string; value: JsonValue }>();
  for (const msg of events) {
    if (msg.type !== "identify") continue;
    for (const [name, value] of Object.entries(msg.traits ?? {})) {
      const write = { at: Date.parse(msg.timestamp), messageId: msg.messageId, value };
      const current = last.get(name);
      if (
        !current ||
        write.at > current.at ||
        (write.at === current.at && write.messageId > current.messageId)
      ) {
        last.set(name, write);
      }
    }
  }
  const out: JsonObject = {};
  for (const name of [...last.keys()].sort()) {
    const value = last.get(name)!.value;
    if (value !== null) out[name] = value;
  }
  return out;
}

describe.each(SEEDS)("Durable Object convergence, seed %i", (seed) => {
  it(`≥2,000 of ${EVENTS} generated events (those a client can send), concurrently in random order, give the union-find partition and LWW traits`, async () => {
    const random = seededRandom(seed);
    const events = sendable(convergenceWorkload(random, PEOPLE, EVENTS, seed).events);
    expect(events.length).toBeGreaterThan(2_000);
    const s = await newSource({ rateLimit: { eventsPerSecond: 1_000_000, burst: 1_000_000 } });
    await sendAll(s, random.shuffle(events), CONCURRENCY);
    const exported = await settledExport(s, events.length);

    const key = await spaceKey(s.spaceId);
    const keysByEvent = new Map<string, string[]>();
    for (const msg of events) {
      const { identifiers } = extractIdentifiers(msg, DEFAULT_IDENTITY_RULES);
      keysByEvent.set(msg.messageId, (await hashIdentifiers(key, identifiers)).map(identifierKey));
    }
    expect(new Set([...keysByEvent.values()].flat()).size).toBeGreaterThanOrEqual(300);
    const expected = referencePartition(keysByEvent.values());
    const actual = Object.values(exported.profiles)
      .map((p) => [...p.identifiers].sort())
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    expect(actual).toEqual(expected);

    for (const { profile } of Object.values(exported.profiles)) {
      const mine = events.filter((e) => profile.events.includes(e.messageId));
      expect(profile.traits).toEqual(expectedTraits(mine));
    }
  }, 300_000);
});

describe("replay", () => {
  it("the same ordered log into two empty spaces gives identical profile exports", async () => {
    const random = seededRandom(99);
    const events = sendable(convergenceWorkload(random, 40, 600, 99).events);
    const exports: Export[] = [];
    for (let run = 0; run < 2; run++) {
      const s = await newSource({ rateLimit: { eventsPerSecond: 1_000_000, burst: 1_000_000 } });
      await sendAll(s, events, 1);
      exports.push(await settledExport(s, events.length));
    }
    // Profile ids are derived within their space (Invariant 8), so two spaces name the same
    // profile differently: name each by its collection and its events, links included.
    const profilesOnly = (e: Export) => {
      const name = new Map<string, string>(
        Object.entries(e.profiles).map(([id, p]): [string, string] => [
          id,
          `${id.slice(0, 4)}${[...p.profile.events].sort().join(",")}`,
        ]),
      );
      return Object.fromEntries(
        Object.entries(e.profiles).map(([id, p]) => [
          name.get(id) ?? id,
          { ...p.profile, links: p.profile.links.map((l) => name.get(l) ?? l).sort() },
        ]),
      );
    };
    expect(Object.keys(exports[0]!.profiles).length).toBeGreaterThan(10);
    expect(profilesOnly(exports[1]!)).toEqual(profilesOnly(exports[0]!));
  }, 300_000);
});

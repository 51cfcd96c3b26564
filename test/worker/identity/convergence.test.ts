// Convergence of the pure pipeline (docs/architecture.md "Identity converges" and "No lost update"):
// for events without limit conflicts, in any order, the final partition of identifiers into
// profiles equals a reference union-find over co-occurring identifiers, and every trait holds its
// last-writer-wins value (timestamp, then messageId). The Durable Object version of this test
// (concurrent, through the ingestion path) comes with the Durable Object wiring.
import { describe, expect, it } from "vitest";
import {
  hashIdentifiers,
  identifierKey,
  importIdentitySecret,
  storedIdentifierFor,
} from "../../../worker/identity/hashing.ts";
import { extractIdentifiers } from "../../../worker/identity/identifiers.ts";
import { DEFAULT_IDENTITY_RULES } from "../../../worker/identity/settings.ts";
import { counterKey, visibleTraits } from "../../../worker/profiles/traits.ts";
import { referencePartition } from "../../../worker/identity/union-find.ts";
import type { JsonObject, JsonValue, NormalizedMessage } from "../../../worker/message/message.ts";
import { convergenceWorkload } from "./convergence-workload.ts";
import { MemoryProfileStore } from "./memory-profile-store.ts";
import { seededRandom } from "./seeded-random.ts";

const SEEDS = [11, 23, 37, 41];
const PEOPLE = 120;
const EVENTS = 2200;
const ORDERS = 3;
const key = await importIdentitySecret("convergence-space-secret-0123456789abcdef");

async function eventKeys(msg: NormalizedMessage): Promise<string[]> {
  const { identifiers } = extractIdentifiers(msg, DEFAULT_IDENTITY_RULES);
  return (await hashIdentifiers(key, identifiers)).map(identifierKey);
}

/** Last-writer-wins computed the plain way: sort every write to a key, keep the last. */
function expectedTraits(events: readonly NormalizedMessage[]): JsonObject {
  const writes = new Map<string, { at: number; messageId: string; value: JsonValue }[]>();
  for (const msg of events) {
    if (msg.type !== "identify") continue;
    for (const [name, value] of Object.entries(msg.traits ?? {})) {
      writes.set(name, [
        ...(writes.get(name) ?? []),
        { at: Date.parse(msg.timestamp), messageId: msg.messageId, value },
      ]);
    }
  }
  const out: JsonObject = {};
  for (const [name, list] of writes) {
    list.sort((a, b) => a.at - b.at || (a.messageId < b.messageId ? -1 : 1));
    const last = list[list.length - 1];
    if (last && last.value !== null) out[name] = last.value;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe.each(SEEDS)("convergence, seed %i", (seed) => {
  it(`${EVENTS} events over ${PEOPLE} people in ${ORDERS} orders give the union-find partition and LWW traits`, async () => {
    const random = seededRandom(seed);
    const { people, events } = convergenceWorkload(random, PEOPLE, EVENTS, seed);
    const keysByEvent = new Map<NormalizedMessage, string[]>();
    for (const msg of events) keysByEvent.set(msg, await eventKeys(msg));
    const expected = referencePartition(keysByEvent.values());

    const personOf = new Map<string, number>();
    for (const [p, ids] of people.entries()) {
      for (const id of ids)
        personOf.set(identifierKey((await storedIdentifierFor(key, "users", id.type, id.raw))!), p);
    }
    const distinct = new Set([...keysByEvent.values()].flat());
    expect(distinct.size).toBeGreaterThanOrEqual(300);
    expect([...distinct].every((k) => personOf.has(k))).toBe(true); // no junk value became an identifier

    for (let order = 0; order < ORDERS; order++) {
      const store = new MemoryProfileStore(DEFAULT_IDENTITY_RULES, key);
      for (const msg of order === 0 ? events : random.shuffle(events)) await store.apply(msg);
      expect(
        store.plans.every((plan) => plan.action !== "refuse" && plan.dropped.length === 0),
      ).toBe(true);
      const partition = store.partition();
      expect(partition).toEqual(expected);
      for (const group of partition)
        expect(new Set(group.map((k) => personOf.get(k))).size).toBe(1);

      for (const profile of store.survivors()) {
        const own = new Set(
          profile.identifiers.map((id) => identifierKey({ ...id, collection: "users" })),
        );
        const mine = events.filter((msg) => (keysByEvent.get(msg) ?? []).some((k) => own.has(k)));
        expect(visibleTraits(profile.traits)).toEqual(expectedTraits(mine));
        const counts: Record<string, number> = {};
        for (const msg of mine) counts[counterKey(msg)] = (counts[counterKey(msg)] ?? 0) + 1;
        expect(profile.counters).toEqual(counts);
      }
    }
  });
});

// A seeded workload for the convergence test: people with several identifiers each, events that
// carry random subsets of one person's identifiers (never two people's), traits with colliding
// timestamps and `null` removals, and blocked junk values that would glue everyone into one blob
// if they were promoted. No person exceeds a default limit, so no event has a limit conflict.
import type { JsonObject, NormalizedMessage } from "../../../worker/message/message.ts";
import { macHash, message, wifiMacExternalId } from "./message-builder.ts";
import type { SeededRandom } from "./seeded-random.ts";

export interface PersonIdentifier {
  type: "user_id" | "anonymous_id" | "email" | "phone" | "wifi_mac";
  raw: string;
}

export interface Workload {
  people: PersonIdentifier[][];
  events: NormalizedMessage[];
}

const BLOCKED_JUNK = [
  "anonymous",
  "null",
  "undefined",
  "-1",
  "",
  "0",
  "00000000-0000-0000-0000-000000000000",
];
const TRAIT_KEYS = ["plan", "city", "score", "vip"];

function person(random: SeededRandom, p: number): PersonIdentifier[] {
  const ids: PersonIdentifier[] = [];
  if (random.next() < 0.7) ids.push({ type: "user_id", raw: `user-${p}` });
  for (let k = 0, n = 1 + random.int(3); k < n; k++)
    ids.push({ type: "anonymous_id", raw: `anon-${p}-${k}` });
  // Email and phone are written several ways: they must still normalize to one identifier.
  for (let k = 0, n = random.int(3); k < n; k++)
    ids.push({ type: "email", raw: `Person${p}.${k}@Example.com` });
  if (random.next() < 0.5)
    ids.push({ type: "phone", raw: `+44 20 7946 ${String(p).padStart(4, "0")}` });
  if (random.next() < 0.5) ids.push({ type: "wifi_mac", raw: macHash(p + 1) });
  return ids;
}

function spell(random: SeededRandom, id: PersonIdentifier): string {
  if (id.type === "email" && random.next() < 0.5) return `  ${id.raw.toUpperCase()} `;
  if (id.type === "phone" && random.next() < 0.5)
    return id.raw.replace("+", "00").replace(/ /g, "-");
  return id.raw;
}

function traits(random: SeededRandom): JsonObject {
  const out: JsonObject = {};
  for (const key of TRAIT_KEYS) {
    if (random.next() < 0.5) continue;
    out[key] = random.next() < 0.15 ? null : `${key}-${random.int(50)}`;
  }
  return out;
}

/** `eventCount` events over `peopleCount` people, reproducible from `random`'s seed. */
export function convergenceWorkload(
  random: SeededRandom,
  peopleCount: number,
  eventCount: number,
  seed: number,
): Workload {
  const people = Array.from({ length: peopleCount }, (_, p) => person(random, p));
  const base = Date.parse("2024-05-01T00:00:00.000Z");
  const events = Array.from({ length: eventCount }, (_, i): NormalizedMessage => {
    const ids = random.shuffle(random.pick(people)).slice(0, 1 + random.int(3));
    const identify = random.next() < 0.6;
    const fields: Partial<NormalizedMessage> = {};
    const context: JsonObject = {};
    const userTraits: JsonObject = identify ? traits(random) : {};
    for (const id of ids) {
      const value = spell(random, id);
      if (id.type === "user_id") fields.userId = value;
      else if (id.type === "anonymous_id") fields.anonymousId = value;
      else if (id.type === "wifi_mac") {
        context.externalIds = [wifiMacExternalId(value, false)];
        if (fields.anonymousId === undefined && random.next() < 0.5) fields.anonymousId = value;
      } else if (identify) userTraits[id.type] = value;
      else context.traits = { ...(context.traits as JsonObject | undefined), [id.type]: value };
    }
    if (fields.anonymousId === undefined && random.next() < 0.3)
      fields.anonymousId = random.pick(BLOCKED_JUNK);
    if (fields.userId === undefined && random.next() < 0.1)
      fields.userId = random.pick(BLOCKED_JUNK);
    // 40 distinct seconds per person-day on average: many writes share a timestamp, so ties go to messageId.
    const timestamp = new Date(base + random.int(2000) * 1000).toISOString();
    return message(identify ? "identify" : "track", {
      ...fields,
      ...(identify ? { traits: userTraits } : { event: random.pick(["Viewed", "Bought", "Left"]) }),
      context,
      timestamp,
      messageId: `s${seed}-m${String(random.int(1_000_000)).padStart(6, "0")}-${i}`,
    });
  });
  return { people, events };
}

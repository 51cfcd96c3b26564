// An in-memory stand-in for the identity Durable Objects, for pure-pipeline tests: it gathers
// the inputs `resolve` needs, applies the plan it returns, and folds traits and counters the way
// the Durable Objects will. One event at a time, like a Durable Object.
import { hashIdentifiers, identifierKey } from "../../../worker/identity/hashing.ts";
import type { StoredIdentifier } from "../../../worker/identity/hashing.ts";
import { extractIdentifiers } from "../../../worker/identity/identifiers.ts";
import type { Collection, Identifier } from "../../../worker/identity/identifiers.ts";
import type { ProfileFacts, ProfileIdentifier } from "../../../worker/identity/profile-facts.ts";
import { resolve } from "../../../worker/identity/resolve.ts";
import type { ResolutionPlan } from "../../../worker/identity/resolve.ts";
import type { IdentityRules } from "../../../worker/identity/rules.ts";
import {
  applyTraits,
  countEvent,
  foldCounters,
  foldTraits,
  traitWrites,
} from "../../../worker/profiles/traits.ts";
import type { EventCounters, TraitMap } from "../../../worker/profiles/traits.ts";
import { canonicalPartition } from "../../../worker/identity/union-find.ts";
import type { NormalizedMessage } from "../../../worker/message/message.ts";

export interface MemoryProfile extends ProfileFacts {
  collection: Collection;
  identifiers: ProfileIdentifier[];
  traits: TraitMap;
  counters: EventCounters;
  mergedInto?: string;
}

export interface AppliedEvent {
  users?: ResolutionPlan;
  accounts?: ResolutionPlan;
  /** Survivor ids after the event, for the user and account it resolved to. */
  userProfile?: string;
  accountProfile?: string;
}

export class MemoryProfileStore {
  readonly profiles = new Map<string, MemoryProfile>();
  readonly index = new Map<string, string>();
  readonly links = new Set<string>();
  readonly plans: ResolutionPlan[] = [];
  #nextId = 0;
  readonly #rules: IdentityRules;
  readonly #key: CryptoKey;

  constructor(rules: IdentityRules, key: CryptoKey) {
    this.#rules = rules;
    this.#key = key;
  }

  /** The surviving profile `id` forwards to (pointer chasing, bounded by the profile count). */
  survivorOf(id: string): MemoryProfile {
    let profile = this.profiles.get(id);
    for (let hops = 0; profile?.mergedInto !== undefined && hops <= this.profiles.size; hops++) {
      profile = this.profiles.get(profile.mergedInto);
    }
    if (!profile || profile.mergedInto !== undefined) throw new Error(`no survivor for ${id}`);
    return profile;
  }

  /** The surviving profile an identifier maps to, if any. */
  profileOf(id: Pick<Identifier, "type" | "value" | "collection">): MemoryProfile | undefined {
    const mapped = this.index.get(identifierKey(id));
    return mapped === undefined ? undefined : this.survivorOf(mapped);
  }

  /** Runs one event through extraction, hashing, resolution, and applies the result. */
  async apply(msg: NormalizedMessage): Promise<AppliedEvent> {
    const extracted = extractIdentifiers(msg, this.#rules);
    const stored = await hashIdentifiers(this.#key, extracted.identifiers);
    const at = Date.parse(msg.timestamp);
    const writes = traitWrites(msg);
    const out: AppliedEvent = {};
    for (const collection of ["users", "accounts"] as const) {
      const ids = stored.filter((id) => id.collection === collection);
      if (ids.length === 0) continue;
      const plan = this.#resolve(ids, at);
      this.plans.push(plan);
      out[collection] = plan;
      const profile = this.#applyPlan(plan, collection, at);
      if (!profile) continue;
      const traits = writes[collection];
      if (traits) profile.traits = applyTraits(profile.traits, traits, at, msg.messageId);
      profile.counters = countEvent(profile.counters, msg);
      if (collection === "users") out.userProfile = profile.id;
      else out.accountProfile = profile.id;
    }
    if (extracted.linksUserToAccount && out.userProfile && out.accountProfile) {
      this.links.add(`${out.userProfile}->${out.accountProfile}`);
    }
    return out;
  }

  #resolve(identifiers: StoredIdentifier[], at: number): ResolutionPlan {
    const mappings = new Map<string, string>();
    const profiles = new Map<string, ProfileFacts>();
    for (const id of identifiers) {
      const profile = this.profileOf(id);
      if (!profile) continue;
      mappings.set(identifierKey(id), profile.id);
      profiles.set(profile.id, profile);
    }
    return resolve({ rules: this.#rules, at, identifiers, mappings, profiles });
  }

  #attach(profile: MemoryProfile, identifiers: readonly Identifier[], at: number): void {
    for (const id of identifiers) {
      this.index.set(identifierKey(id), profile.id);
      profile.identifiers.push({ type: id.type, value: id.value, addedAt: at });
    }
  }

  #applyPlan(plan: ResolutionPlan, collection: Collection, at: number): MemoryProfile | undefined {
    switch (plan.action) {
      case "refuse":
        return undefined;
      case "create": {
        this.#nextId += 1;
        const profile: MemoryProfile = {
          id: `${collection}-${this.#nextId}`,
          collection,
          createdAt: at,
          identifiers: [],
          mergeCount: 0,
          traits: {},
          counters: {},
        };
        this.profiles.set(profile.id, profile);
        this.#attach(profile, plan.identifiers, at);
        return profile;
      }
      case "attach": {
        const profile = this.survivorOf(plan.profileId);
        this.#attach(profile, plan.newIdentifiers, at);
        return profile;
      }
      case "merge": {
        const survivor = this.survivorOf(plan.survivor);
        for (const foldedId of plan.folded) {
          const folded = this.survivorOf(foldedId);
          survivor.identifiers.push(...folded.identifiers);
          survivor.traits = foldTraits(survivor.traits, folded.traits);
          survivor.counters = foldCounters(survivor.counters, folded.counters);
          survivor.mergeCount += folded.mergeCount + 1;
          folded.mergedInto = survivor.id;
        }
        this.#attach(survivor, plan.newIdentifiers, at);
        return survivor;
      }
    }
  }

  /** Identifier keys grouped by surviving profile, in canonical form. */
  partition(collection: Collection = "users"): string[][] {
    const groups = new Map<string, string[]>();
    for (const key of this.index.keys()) {
      if (!key.startsWith(`${collection}/`)) continue;
      const root = this.survivorOf(this.index.get(key) ?? "").id;
      groups.set(root, [...(groups.get(root) ?? []), key]);
    }
    return canonicalPartition(groups.values());
  }

  /** Profiles nobody was merged into. */
  survivors(collection: Collection = "users"): MemoryProfile[] {
    return [...this.profiles.values()].filter(
      (p) => p.collection === collection && p.mergedInto === undefined,
    );
  }
}

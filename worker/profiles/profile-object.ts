// ProfileObject: one Durable Object per profile, the only writer of its traits and history
// (Invariant 3). A merge folds the younger profile into the older: the survivor pulls the folded
// profile's state (which from then on forwards everything to the survivor), folds it in, then lets
// the folded profile drop its copy. Traits are last-writer-wins and history is keyed by
// messageId, so applying events and merges in any order gives the same profile.
import { meterEnv, meterStorage } from "../platform/index.ts";
import { DurableObject } from "cloudflare:workers";
import {
  ACTIVATION_SOURCE,
  loadDefinitions,
  activateProfile,
  definitionsFromStored,
  evaluateProfile,
  historyEvent,
  profileConsentPreferences,
  type ActivationDefinitions,
  type ActivationSnapshot,
  type ActivationState,
  type HistoryEvent,
} from "../activation/index.ts";
import type { Collection } from "../identity/index.ts";
import { canonicalJson, visibleTraits } from "./traits.ts";
import type { JsonObject, JsonValue, NormalizedMessage } from "../message/index.ts";
import { subjectFacts } from "./subject-facts.ts";
import { CONSENT_COUNTERS, consentFromHistory } from "../gate/index.ts";
import { ProfileStore, type EventRecord, type ProfileState } from "./profile-store.ts";
import { profileStub } from "./profile-name.ts";
import { enqueueDeliveries } from "../delivery/index.ts";

/**
 * How long a chunk's activation changes are kept to answer its redelivery (the ingest Queue
 * retries within minutes).
 */
const HANDED_OFF_MS = 60 * 60 * 1000;
/**
 * At most this many recent applies' changes are kept per profile (the whole list is rewritten with
 * each change, so it stays small): a chunk redelivered after more than this many later applies
 * changed the same profile gets only its fresh changes back.
 */
const MAX_HANDED_OFF = 8;

interface HandedOff {
  /** The chunks of the apply that made these changes (`chunkId`: one chunk, as first stored). */
  chunkIds?: string[];
  chunkId?: string;
  at: number;
  messages: NormalizedMessage[];
}

/** Whether a kept hand-off came from any of `chunkIds`. */
function fromAny(kept: HandedOff, chunkIds: ReadonlySet<string>): boolean {
  return (kept.chunkIds ?? (kept.chunkId === undefined ? [] : [kept.chunkId])).some((id) =>
    chunkIds.has(id),
  );
}

export interface TraitWrite {
  /** The traits object as JSON text (keeps RPC types shallow). */
  traits: string;
  timestamp: number;
  messageId: string;
}

/** What the identity feed asks a profile to do for one chunk. */
export interface ProfileWork {
  profileId: string;
  collection: Collection;
  /** The space the profile belongs to: its object is named within it, and checks it. */
  spaceId: string;
  /** Profiles the graph folded into this one: pull their state first. */
  absorb: string[];
  /**
   * The ingest chunks this work comes from (a consumer batch's chunks of one source, together):
   * the activation changes they caused are kept under them for a while, so a redelivered chunk
   * gets them back to queue again (`apply`'s answer), however the Queue groups it the next time.
   */
  chunkIds: string[];
  events: EventRecord[];
  traits: TraitWrite[];
  links: string[];
}

/** A profile's canonical export: what replay and convergence tests compare. */
export interface ProfileExport {
  traits: JsonObject;
  counters: Record<string, number>;
  events: string[];
  links: string[];
}

/** The export as JSON text with sorted keys, so two exports compare as strings. */
export function serializeExport(value: ProfileExport): string {
  return canonicalJson(value as unknown as JsonObject);
}

const MAX_FORWARD_HOPS = 16;

/**
 * Test-only fault injection: while this key is `true` in a profile's own storage, absorbing a
 * merge there throws. Only tests write it (through `runInDurableObject`); no code path in the
 * worker does, so in production it is never set.
 */
export const ABSORB_FAULT_KEY = "test:failAbsorb";

export class ProfileObject extends DurableObject<Env> {
  private store: ProfileStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
    meterStorage(env, ctx.storage, "ProfileObject");
    this.store = new ProfileStore(ctx.storage.sql, ctx.storage.kv);
  }

  /** Another profile of this profile's space (a profile never reaches across spaces). */
  private stub(profileId: string) {
    const spaceId = this.ctx.storage.kv.get<string>("spaceId");
    if (spaceId === undefined) throw new Error("profile has no space yet");
    return profileStub(this.env, spaceId, profileId);
  }

  private mergedInto(): string | undefined {
    return this.ctx.storage.kv.get<string>("mergedInto");
  }

  /**
   * Records the space, id and collection on first contact, and refuses a call for another space
   * or id: objects are named by space and profile (profile-name.ts), so a mismatch is a bug or an
   * attack, never data to accept.
   */
  private remember(spaceId: string, profileId: string, collection: Collection): void {
    const space = this.ctx.storage.kv.get<string>("spaceId");
    if (space !== undefined && space !== spaceId)
      throw new Error(`profile ${profileId} belongs to another space`);
    const id = this.ctx.storage.kv.get<string>("id");
    if (id !== undefined && id !== profileId)
      throw new Error(`profile object ${id} was asked to act as ${profileId}`);
    if (space === undefined) this.ctx.storage.kv.put("spaceId", spaceId);
    if (id === undefined) {
      this.ctx.storage.kv.put("id", profileId);
      this.ctx.storage.kv.put("collection", collection);
    }
  }

  /**
   * Applies one chunk's work and answers the activation changes it caused (computed traits,
   * audiences; a JSON array of messages) for the ingest consumer to queue with the chunk's own
   * events: one delivery bundle per destination and chunk instead of one per profile. The changes
   * are kept under the chunk for HANDED_OFF_MS and answered again when the same chunk comes back
   * (its delivery hand-off failed and the Queue redelivered it); destination ledgers drop repeats.
   */
  async apply(work: ProfileWork, hops = 0): Promise<string> {
    this.remember(work.spaceId, work.profileId, work.collection);
    if (work.absorb.length > 0)
      await this.absorbMerges(work.spaceId, work.profileId, work.collection, work.absorb);
    const survivor = this.mergedInto();
    if (survivor !== undefined) {
      if (hops >= MAX_FORWARD_HOPS) throw new Error(`profile forwarding loop at ${work.profileId}`);
      return this.stub(survivor).apply({ ...work, profileId: survivor, absorb: [] }, hops + 1);
    }
    const since = this.store.historyVersion();
    const added = this.store.addEvents(work.events);
    for (const write of work.traits) {
      this.store.writeTraits(
        JSON.parse(write.traits) as JsonObject,
        write.timestamp,
        write.messageId,
      );
    }
    for (const link of work.links) this.store.addLink(link);
    const first = work.events.reduce(
      (min, e) => Math.min(min, e.timestamp),
      Number.POSITIVE_INFINITY,
    );
    const created = this.ctx.storage.kv.get<number>("createdAt");
    if (Number.isFinite(first) && (created === undefined || first < created)) {
      this.ctx.storage.kv.put("createdAt", first);
    }
    this.ctx.storage.kv.put("updatedAt", Date.now());
    if (work.collection !== "users") return "[]";
    const now = Date.now();
    const kept = (this.ctx.storage.kv.get<HandedOff[]>("handedOff") ?? []).filter(
      (h) => now - h.at < HANDED_OFF_MS,
    );
    const chunks = new Set(work.chunkIds);
    // What earlier applies of these chunks handed off: answered again (ledgers drop repeats).
    const earlier = kept.filter((h) => fromAny(h, chunks)).flatMap((h) => h.messages);
    let fresh: NormalizedMessage[] = [];
    // Kept before the activation snapshot moves on (profile-activator.ts: hand on, then remember).
    const history = {
      version: since + added.length,
      since,
      fresh: () => added.map(storedHistoryEvent),
    };
    await this.activate(now, undefined, history, (changes) => {
      fresh = changes;
      kept.push({ chunkIds: work.chunkIds, at: now, messages: changes });
      this.ctx.storage.kv.put("handedOff", kept.slice(-MAX_HANDED_OFF));
    });
    // JSON text: the answer's RPC type stays shallow.
    return JSON.stringify([...earlier, ...fresh]);
  }

  /**
   * Recomputes computed traits and audiences, hands the changes on, sets the alarm
   * (profile-activator.ts). With `handOff` (a chunk's apply) the changes go to it, for the caller
   * to queue; without (an alarm, a definition change) they are queued here.
   */
  private async activate(
    now: number,
    definitions?: ActivationDefinitions,
    history?: { version: number; since: number; fresh: () => HistoryEvent[] },
    handOff?: (messages: NormalizedMessage[]) => void,
  ): Promise<void> {
    const spaceId = this.ctx.storage.kv.get<string>("spaceId");
    const profileId = this.ctx.storage.kv.get<string>("id");
    if (spaceId === undefined || profileId === undefined || this.mergedInto() !== undefined) return;
    await activateProfile(
      {
        env: this.env,
        deliver: async (messages) => {
          if (handOff === undefined)
            await enqueueDeliveries(this.env, spaceId, ACTIVATION_SOURCE, messages);
          else if (messages.length > 0) handOff(messages);
        },
        spaceId,
        profileId,
        definitions: definitions ?? (await loadDefinitions(this.env, spaceId)),
        history: history ?? this.unchangedHistory(),
        allHistory: () => ({
          version: this.store.historyVersion(),
          events: this.activationMessages().map(historyEvent),
        }),
        consent: () =>
          profileConsentPreferences(
            this.store.consentBodies().map((body) => JSON.parse(body) as NormalizedMessage),
          ),
        traits: () => visibleTraits(this.store.traitEntries()),
        // One KV entry; profiles activated before it kept only the snapshot, under "activation".
        kept: () =>
          this.ctx.storage.kv.get<KeptActivation>("activationKept") ?? {
            snapshot: this.ctx.storage.kv.get<ActivationSnapshot>("activation"),
          },
        keep: (snapshot, state) =>
          this.ctx.storage.kv.put<KeptActivation>("activationKept", { snapshot, state }),
        schedule: async (at) => {
          if (at === null) {
            this.ctx.storage.kv.delete("alarmAt");
            await this.ctx.storage.deleteAlarm();
          } else {
            this.ctx.storage.kv.put("alarmAt", at);
            await this.ctx.storage.setAlarm(at);
          }
        },
      },
      now,
    );
  }

  /** No new events: the current version, folded from itself. */
  private unchangedHistory() {
    const version = this.store.historyVersion();
    return { version, since: version, fresh: () => [] };
  }

  private activationMessages(): NormalizedMessage[] {
    return this.store.allEvents().map((e) => JSON.parse(e.body) as NormalizedMessage);
  }

  /**
   * A time window moved: re-evaluate with no new event. Judged at the instant the alarm was set
   * for (Cloudflare fires alarms at or after it), so a drop-out is dated when it happened.
   */
  override async alarm(): Promise<void> {
    const due = this.ctx.storage.kv.get<number>("alarmAt") ?? 0;
    await this.activate(Math.max(Date.now(), due));
  }

  /** Preview: this profile's value or membership under `candidate` (a stored-definition JSON), as JSON text. */
  previewActivation(candidateJson: string, now: number): string {
    const defs = definitionsFromStored([JSON.parse(candidateJson) as never]);
    const evaluation = evaluateProfile(
      defs,
      this.activationMessages().map(historyEvent),
      visibleTraits(this.store.traitEntries()),
      now,
    );
    const [trait] = defs.traits;
    const [audience] = defs.audiences;
    const result: { member?: boolean; value?: JsonValue } = trait
      ? { value: evaluation.snapshot.traits[trait.key] ?? null }
      : { member: audience ? (evaluation.snapshot.audiences[audience.key] ?? false) : false };
    return JSON.stringify(result);
  }

  /**
   * Pulls the folded profiles' state into this one. Idempotent: a folded profile already released
   * hands over nothing, and its traits and events fold by LWW and messageId. When this profile was
   * itself folded meanwhile (A into B while B into C), the rest goes on to its survivor, so A's
   * data never lands in a profile that has already handed over.
   */
  async absorbMerges(
    spaceId: string,
    selfId: string,
    collection: Collection,
    folded: readonly string[],
    hops = 0,
  ): Promise<void> {
    if (this.ctx.storage.kv.get(ABSORB_FAULT_KEY) === true)
      throw new Error(`injected fault: absorb into ${selfId}`);
    this.remember(spaceId, selfId, collection);
    const rest = await this.ctx.blockConcurrencyWhile(() => this.absorb(selfId, folded));
    if (rest.length === 0) return;
    // Forwarded outside blockConcurrencyWhile: the survivor may be waiting on this profile's
    // `release` right now, and a blocked call to it would deadlock both.
    const survivor = this.mergedInto();
    if (survivor === undefined) return;
    if (hops >= MAX_FORWARD_HOPS) throw new Error(`profile forwarding loop at ${selfId}`);
    await this.stub(survivor).absorbMerges(spaceId, survivor, collection, rest, hops + 1);
  }

  /** Absorbs in order while this profile is a survivor; returns those left once it is not. */
  private async absorb(selfId: string, folded: readonly string[]): Promise<string[]> {
    for (const [i, id] of folded.entries()) {
      if (this.mergedInto() !== undefined) return folded.slice(i);
      if (id === selfId) continue;
      const other = this.stub(id);
      const state = await other.handOver(selfId);
      this.store.fold(state);
      if (state.createdAt !== null) {
        const created = this.ctx.storage.kv.get<number>("createdAt");
        if (created === undefined || state.createdAt < created)
          this.ctx.storage.kv.put("createdAt", state.createdAt);
      }
      await other.release(selfId);
    }
    return [];
  }

  /** Marks this profile folded into `survivorId` and returns everything it holds. */
  handOver(survivorId: string): ProfileState {
    this.ctx.storage.kv.put("mergedInto", survivorId);
    return this.store.state(this.ctx.storage.kv.get<number>("createdAt") ?? null);
  }

  /** Drops the copy the survivor has folded in; the forwarding pointer stays. */
  release(survivorId: string): void {
    if (this.mergedInto() === survivorId) this.store.clear();
  }

  /** Trait entries (value, timestamp, messageId) as JSON text. */
  traitEntries(): string {
    return JSON.stringify(this.store.traitEntries());
  }

  events(options: {
    limit: number;
    after?: [number, string];
    order: "asc" | "desc";
    start?: number;
    end?: number;
  }) {
    return this.store.events(options);
  }

  links(): string[] {
    return this.store.links();
  }

  metadata() {
    const { first, last } = this.store.bounds();
    return {
      createdAt: this.ctx.storage.kv.get<number>("createdAt") ?? null,
      updatedAt: this.ctx.storage.kv.get<number>("updatedAt") ?? null,
      mergedInto: this.mergedInto() ?? null,
      first: first ? { messageId: first.messageId, sourceId: first.sourceId } : null,
      last: last ? { messageId: last.messageId, sourceId: last.sourceId } : null,
    };
  }

  /** The canonical export (see ProfileExport) as JSON text. */
  exportProfile(): string {
    return serializeExport({
      traits: visibleTraits(this.store.traitEntries()),
      counters: this.store.counters(),
      events: this.store
        .allEvents()
        .map((e) => e.messageId)
        .sort(),
      links: this.store.links(),
    });
  }

  /** What this profile's data says about who the person is (regulations' resolve step). */
  subjectFacts() {
    const traits = visibleTraits(this.store.traitEntries());
    return { ...subjectFacts(traits, this.store.allEvents()), links: this.store.links() };
  }

  /** Erases everything this profile holds: traits, history, links, consent, pointers. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store = new ProfileStore(this.ctx.storage.sql, this.ctx.storage.kv);
  }

  /** Drops the given events from the history (a deleted person's events on an account). */
  forgetEvents(messageIds: readonly string[]): number {
    return this.store.forgetEvents(messageIds);
  }

  /**
   * Retention: drops history events received before their source's cutoff (epoch ms), or before
   * `fallback` for a source not listed. Returns how many went.
   */
  purgeHistory(cutoffs: Record<string, number>, fallback: number): number {
    // Consent events stay: they are the proof of consent (GDPR Art. 7(1)) and the profile's
    // consent is derived from them.
    return this.store.purgeReceivedBefore(cutoffs, fallback, CONSENT_COUNTERS);
  }

  /** The profile's latest consent per category (JSON text of ProfileConsent). */
  consent(): string {
    return JSON.stringify(consentFromHistory(this.store.consentBodies()));
  }
}

/** A stored event as activation folds it. */
function storedHistoryEvent(record: EventRecord): HistoryEvent {
  return historyEvent(JSON.parse(record.body) as NormalizedMessage);
}

/** What a profile keeps of its last activation (profile-activator.ts). */
interface KeptActivation {
  snapshot?: ActivationSnapshot | undefined;
  state?: ActivationState;
}

// IdentityGraph: one Durable Object per space that owns the space's identifier → profile index
// and makes every identity decision, one event after another (Invariant 3 for the graph; the
// resolution rules are the pure functions in worker/identity/). Events are placed in their order
// within a call, calls are serialized, so any arrival order converges to the same partition.
// PII identifiers are matched as keyed hashes under a per-space secret that never leaves here.
import { DurableObject } from "cloudflare:workers";
import { sha256Hex, nextAlarmAt, retryAt, meterEnv, meterStorage } from "../platform/index.ts";
import {
  hashIdentifiers,
  identifierKey,
  importIdentitySecret,
  storedIdentifierFor,
} from "./hashing.ts";
import { extractIdentifiers, type Collection, type Identifier } from "./identifiers.ts";
import type { ProfileFacts } from "./profile-facts.ts";
import { resolve, type ResolutionPlan } from "./resolve.ts";
import type { IdentityRules } from "./rules.ts";
import { loadStoredIdentitySettings, parseIdentitySettings } from "./settings.ts";
import type { NormalizedMessage } from "../message/index.ts";
import { auditRows } from "./graph-audit.ts";
import { GraphStore, type AuditRow } from "./graph-store.ts";
import { MergeOutbox, type MergeRecord } from "./merge-outbox.ts";
import { profileStub } from "../profiles/index.ts";

/** Where one event landed in one collection. */
export interface Placement {
  profileId: string;
  /** Profiles folded into `profileId` because of this event. */
  folded: string[];
}

export interface PlacedMessage {
  messageId: string;
  users?: Placement;
  accounts?: Placement;
}

interface Prepared {
  message: NormalizedMessage;
  at: number;
  byCollection: Map<Collection, Identifier[]>;
  candidateIds: Record<Collection, string>;
}

const PROFILE_PREFIX: Record<Collection, string> = { users: "use_", accounts: "acc_" };
/** The most profile ids one read returns: every production read of the index is bounded. */
export const MAX_PROFILE_PAGE = 10_000;
/**
 * Test-only fault injection, as ABSORB_FAULT_KEY in profile-object.ts: while `true` in a graph's
 * storage, its retention page throws. Only tests write it; no worker code path does.
 */
export const RETENTION_FAULT_KEY = "test:failRetention";
const AUDIT_FLUSH = 200;
/**
 * How long after a fold the graph's alarm rolls it forward if the feed has not acknowledged it:
 * long enough that the feed's own apply (milliseconds) normally clears the row first.
 */
export const MERGE_ROLL_FORWARD_DELAY_MS = 60_000;

/**
 * The identity core of the space's graph Durable Object. `worker/index.ts` exports the class that
 * also hosts the space's regulation work (governance/regulations/graph-host.ts), which extends this
 * one through the two alarm hooks below, so identity never imports governance.
 */
export class IdentityGraphCore extends DurableObject<Env> {
  protected readonly store: GraphStore;
  protected readonly merges: MergeOutbox;
  private key: CryptoKey | undefined;
  private rules: IdentityRules = parseIdentitySettings({});
  private rawSettings: unknown = {};

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
    meterStorage(env, ctx.storage, "IdentityGraph");
    this.store = new GraphStore(ctx.storage.sql);
    this.merges = new MergeOutbox(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      let secret = ctx.storage.kv.get<string>("secret");
      if (!secret) {
        secret = [...crypto.getRandomValues(new Uint8Array(32))]
          .map((b) => b.toString(16).padStart(2, "0"))
          .join("");
        ctx.storage.kv.put("secret", secret);
      }
      this.key = await importIdentitySecret(secret);
      this.rawSettings = ctx.storage.kv.get("settings") ?? {};
      this.rules = loadStoredIdentitySettings(this.rawSettings);
    });
  }

  /** The space's identity settings as last saved, JSON text (`{}`: Segment's defaults). */
  settings(): string {
    return JSON.stringify(this.rawSettings);
  }

  /** Validates and saves new settings; they apply to events placed from now on. */
  configure(settings: unknown): void {
    this.rules = parseIdentitySettings(settings);
    this.rawSettings = settings;
    this.ctx.storage.kv.put("settings", settings);
  }

  private async prepare(
    spaceId: string,
    sourceId: string,
    message: NormalizedMessage,
  ): Promise<Prepared> {
    const key = this.key;
    if (!key) throw new Error("identity secret not loaded");
    const extracted = extractIdentifiers(message, this.rules);
    const stored = await hashIdentifiers(key, extracted.identifiers);
    const byCollection = new Map<Collection, Identifier[]>();
    for (const id of stored)
      byCollection.set(id.collection, [...(byCollection.get(id.collection) ?? []), id]);
    // Deterministic ids: replaying the same log into an empty space names profiles the same way.
    // The space and source are in the hash, so another tenant's (or source's) reuse of a
    // messageId derives another id; `place` never adopts an existing profile for a new one.
    const [users, accounts] = await Promise.all(
      (["users", "accounts"] as const).map(async (c) => {
        const hash = await sha256Hex(JSON.stringify([c, spaceId, sourceId, message.messageId]));
        return `${PROFILE_PREFIX[c]}${hash.slice(0, 24)}`;
      }),
    );
    return {
      message,
      at: Date.parse(message.timestamp),
      byCollection,
      candidateIds: { users: users ?? "", accounts: accounts ?? "" },
    };
  }

  private plan(collection: Collection, identifiers: Identifier[], at: number): ResolutionPlan {
    const mappings = new Map<string, string>();
    const profiles = new Map<string, ProfileFacts>();
    for (const id of identifiers) {
      const profileId = this.store.profileOf(identifierKey(id));
      if (profileId === undefined) continue;
      mappings.set(identifierKey(id), profileId);
      if (!profiles.has(profileId)) {
        const facts = this.store.facts(profileId);
        if (facts) profiles.set(profileId, facts);
      }
    }
    return resolve({ rules: this.rules, at, identifiers, mappings, profiles });
  }

  private place(p: Prepared): PlacedMessage {
    const placed: PlacedMessage = { messageId: p.message.messageId };
    const audit: AuditRow[] = [];
    for (const [collection, identifiers] of p.byCollection) {
      const plan = this.plan(collection, identifiers, p.at);
      audit.push(...auditRows(p.message.messageId, plan, p.candidateIds[collection]));
      let placement: Placement | undefined;
      switch (plan.action) {
        case "create": {
          const id = this.freshProfileId(p.candidateIds[collection], collection);
          this.store.createProfile(id, collection, p.at);
          this.store.addIdentifiers(id, plan.identifiers, p.at);
          placement = { profileId: id, folded: [] };
          break;
        }
        case "attach":
          this.store.addIdentifiers(plan.profileId, plan.newIdentifiers, p.at);
          // A redelivered merge event lands here as an attach: it still carries the folds the
          // profiles have not acknowledged, so the next delivery rolls them forward.
          placement = {
            profileId: plan.profileId,
            folded: this.merges.pendingInto(plan.profileId),
          };
          break;
        case "merge":
          for (const folded of plan.folded) {
            this.store.fold(plan.survivor, folded);
            this.merges.record(
              plan.survivor,
              folded,
              collection,
              p.message.messageId,
              Date.now() + MERGE_ROLL_FORWARD_DELAY_MS,
            );
          }
          this.store.addIdentifiers(plan.survivor, plan.newIdentifiers, p.at);
          placement = { profileId: plan.survivor, folded: this.merges.pendingInto(plan.survivor) };
          break;
        case "refuse":
          break;
      }
      if (placement) placed[collection] = placement;
    }
    this.store.queueAudit(audit);
    return placed;
  }

  /**
   * The candidate id, or a random one when a profile already has it (the same source reused the
   * messageId after the dedup window): a new profile never adopts an existing one.
   */
  private freshProfileId(candidate: string, collection: Collection): string {
    if (!this.store.hasProfile(candidate)) return candidate;
    const random = [...crypto.getRandomValues(new Uint8Array(12))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    return `${PROFILE_PREFIX[collection]}${random}`;
  }

  /** Places a chunk of events, in order, and returns where each landed. Idempotent per event. */
  async placeMessages(
    spaceId: string,
    sourceId: string,
    messages: NormalizedMessage[],
  ): Promise<PlacedMessage[]> {
    this.rememberSpace(spaceId);
    const prepared = await Promise.all(messages.map((m) => this.prepare(spaceId, sourceId, m)));
    // No await from here to the end of the loop: the whole chunk is placed atomically.
    const placed = prepared.map((p) => this.place(p));
    const due = this.merges.nextAttemptAt();
    if (due !== undefined) {
      const current = await this.ctx.storage.getAlarm();
      if (current === null || current > due) await this.ctx.storage.setAlarm(due);
    }
    await this.flushAudit(spaceId);
    return placed;
  }

  /** The graph is named by its space; a call for another space is refused. */
  private rememberSpace(spaceId: string): void {
    const known = this.ctx.storage.kv.get<string>("spaceId");
    if (known === undefined) this.ctx.storage.kv.put("spaceId", spaceId);
    else if (known !== spaceId) throw new Error("identity graph of another space");
  }

  private spaceId(): string {
    const known = this.ctx.storage.kv.get<string>("spaceId");
    if (known === undefined) throw new Error("identity graph has placed no event yet");
    return known;
  }

  /** The profiles confirmed they absorbed these folds: their durable records go. */
  async ackMerges(folded: readonly string[]): Promise<void> {
    if (folded.length === 0) return;
    this.merges.settle(folded);
    await this.rescheduleAlarm();
  }

  /** Folds not yet applied by the profiles (tests and operators). */
  pendingMerges(): MergeRecord[] {
    return this.merges.all();
  }

  /**
   * Rolls one fold forward: the survivor's ProfileObject pulls the folded profile's state
   * (idempotent; a survivor folded since forwards to its own survivor), then the row goes.
   */
  private async rollForward(merge: MergeRecord): Promise<void> {
    try {
      await profileStub(this.env, this.spaceId(), merge.survivor).absorbMerges(
        this.spaceId(),
        merge.survivor,
        merge.collection,
        [merge.folded],
      );
      this.merges.settle([merge.folded]);
    } catch (error) {
      console.error("merge roll-forward failed", {
        folded: merge.folded,
        error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown",
      });
      this.merges.retryAt(merge.folded, retryAt(merge.attempts + 1, Date.now(), Math.random()));
    }
  }

  /** When other work hosted in this object is next due (a subclass's; none here). */
  protected otherAlarmTimes(): number[] {
    return [];
  }

  /** Runs other hosted work that is due at `now` (a subclass's; none here). */
  protected async runOtherDueWork(_now: number): Promise<void> {}

  /** One alarm serves unacknowledged folds and the hosted work: the earliest of either. */
  protected async rescheduleAlarm(): Promise<void> {
    // Read and set with no await between: work enqueued meanwhile is in the read, or its own
    // `setAlarm` comes after this one.
    const next = nextAlarmAt(
      [...this.otherAlarmTimes(), this.merges.nextAttemptAt()].filter(
        (at): at is number => at !== undefined,
      ),
    );
    if (next === undefined) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /** Copies pending audit rows to D1; rows stay queued here until D1 has them. */
  async flushAudit(spaceId: string): Promise<void> {
    for (let round = 0; round < 50; round++) {
      const rows = this.store.pendingAudit(AUDIT_FLUSH);
      if (rows.length === 0) return;
      const insert = this.env.DB.prepare(
        `INSERT OR IGNORE INTO identity_audit
           (id, space_id, message_id, action, rule, survivor, folded, identifiers, detail, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      await this.env.DB.batch(
        rows.map((r) =>
          insert.bind(
            r.id,
            spaceId,
            r.messageId,
            r.action,
            r.rule,
            r.survivor,
            r.folded,
            JSON.stringify(r.identifiers),
            r.detail,
            r.at,
          ),
        ),
      );
      this.store.clearAudit(rows.map((r) => r.id));
    }
  }

  /** The profile an identifier (`type`, raw value) belongs to now, if any. */
  async lookup(collection: Collection, type: string, value: string): Promise<string | undefined> {
    if (!this.key) throw new Error("identity secret not loaded");
    const stored = await storedIdentifierFor(this.key, collection, type, value);
    return stored ? this.store.profileOf(identifierKey(stored)) : undefined;
  }

  canonical(profileId: string): string | undefined {
    return this.store.canonical(profileId);
  }

  identifiersOf(profileId: string) {
    return this.store.identifiersOf(profileId);
  }

  /** identifier key → profile id, for the convergence and replay tests (unbounded). */
  partition(): { key: string; profileId: string }[] {
    return this.store.partition();
  }

  /** Live profile ids after `after`, in id order; at most 10,000 a page. */
  profilePage(after: string, limit: number): string[] {
    return this.store.profileIds(after, Math.min(Math.max(1, limit), MAX_PROFILE_PAGE));
  }

  /** Identifier keys of these profiles (at most one page of them). */
  partitionOf(profileIds: readonly string[]): { key: string; profileId: string }[] {
    return this.store.partitionOf(profileIds.slice(0, MAX_PROFILE_PAGE));
  }

  /**
   * The next page of profiles for the retention cron, from its persisted cursor; the cron calls
   * `retentionDone` with the page's last id once it has trimmed them (a failed run repeats it).
   */
  retentionPage(limit: number): string[] {
    if (this.ctx.storage.kv.get(RETENTION_FAULT_KEY) === true)
      throw new Error("injected fault: retention page");
    return this.profilePage(this.ctx.storage.kv.get<string>("retentionCursor") ?? "", limit);
  }

  /** Moves the retention cursor past `lastId`, or back to the start after the last page. */
  retentionDone(lastId: string | null): void {
    if (lastId === null) this.ctx.storage.kv.delete("retentionCursor");
    else this.ctx.storage.kv.put("retentionCursor", lastId);
  }

  /** Rolls forward every unacknowledged fold that is due, runs the hosted work, re-arms. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const merge of this.merges.due(now)) await this.rollForward(merge);
    await this.runOtherDueWork(now);
    await this.rescheduleAlarm();
  }
}

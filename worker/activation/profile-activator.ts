// Runs activation for one profile inside its ProfileObject (Invariant 3: the profile's one writer):
// evaluate every definition at `now`, hand what changed on to the space's destinations, remember the
// snapshot, and set the Durable Object alarm at the next instant a time window can change a value
// with no new event (https://developers.cloudflare.com/durable-objects/api/alarms/).
import { recordAudit } from "../platform/index.ts";
import type { JsonObject, NormalizedMessage } from "../message/index.ts";
import { changeMessages } from "./change-messages.ts";
import type { HistoryEvent } from "./history.ts";
import {
  changesSince,
  EMPTY_SNAPSHOT,
  emptyActivationState,
  evaluateState,
  foldHistory,
  latestIds,
  stateBasis,
  type ActivationDefinitions,
  type ActivationSnapshot,
  type ActivationState,
} from "./profile-evaluation.ts";

/** The source id activation messages carry in the destination ledgers (Segment's "Engage"). */
export const ACTIVATION_SOURCE = "personas";

export interface ProfileActivationPort {
  env: Env;
  /** Hands change messages on to delivery: queued at once, or answered to the ingest consumer. */
  deliver(messages: NormalizedMessage[]): Promise<void>;
  spaceId: string;
  profileId: string;
  definitions: ActivationDefinitions;
  /**
   * The history version now, and the events that made it from `since` (this apply's new ones),
   * read only when there are definitions to fold them into.
   */
  history: { version: number; since: number; fresh: () => HistoryEvent[] };
  /**
   * The whole history with its version, read together: only when the kept state cannot be brought
   * up to date by folding.
   */
  allHistory(): { version: number; events: HistoryEvent[] };
  /** The consent change messages carry: read only when something changed. */
  consent(): JsonObject;
  traits(): JsonObject;
  /** What the last activation kept: its snapshot (what destinations were told) and its state. */
  kept(): { snapshot?: ActivationSnapshot; state?: ActivationState };
  /** Keeps both, in one write, once the changes are handed on. */
  keep(snapshot: ActivationSnapshot, state: ActivationState): void;
  /** Sets (epoch ms) or clears (null) the profile's alarm. */
  schedule(at: number | null): Promise<void>;
}

/**
 * The kept state brought to the current history: the fresh events folded in when it was folded up
 * to just before them for these definitions, else rebuilt from the whole history.
 */
function currentState(
  port: ProfileActivationPort,
  kept: ActivationState | undefined,
  now: number,
): ActivationState {
  const { definitions, history } = port;
  if (kept && kept.basis === stateBasis(definitions) && kept.version === history.since)
    return { ...foldHistory(definitions, kept, history.fresh(), now), version: history.version };
  const all = port.allHistory();
  return foldHistory(definitions, emptyActivationState(definitions, all.version), all.events, now);
}

/** Evaluates, emits changes and reschedules. Returns the messages sent (for tests and the bench). */
export async function activateProfile(
  port: ProfileActivationPort,
  now: number,
): Promise<NormalizedMessage[]> {
  const { definitions } = port;
  const kept = port.kept();
  const previous = kept.snapshot;
  if (definitions.traits.length === 0 && definitions.audiences.length === 0) {
    if (previous !== undefined) await port.schedule(null);
    return [];
  }
  const state = currentState(port, kept.state, now);
  const evaluation = evaluateState(definitions, state, port.traits(), now);
  const changes = changesSince(definitions, previous ?? EMPTY_SNAPSHOT, evaluation.snapshot);
  const out =
    changes.length === 0
      ? []
      : await changeMessages(
          port.spaceId,
          { profileId: port.profileId, ...latestIds(state) },
          changes,
          port.consent(),
          now,
        );
  // Hand on first, then remember: a failure here leaves the old snapshot, so the change is re-sent
  // (and the old state, which no longer matches the history's version: the next one rebuilds).
  await port.deliver(out);
  const memberships = changes.filter((c) => c.kind === "audience");
  if (memberships.length > 0) {
    // Governance audit (issue 4): who entered or left which audience, no values. A computed trait's
    // new value is not audited: it changes with nearly every event, so an audit row for it would be
    // a D1 row per event (issue 14); where it went is in the destinations' ledgers (lineage).
    await recordAudit(port.env, {
      spaceId: port.spaceId,
      actor: "activation",
      action: "activation.sent",
      target: port.profileId,
      detail: {
        messages: out.length,
        changes: changes.map((c) =>
          c.kind === "audience"
            ? `audience:${c.computation.key}:${c.member ? "entered" : "exited"}`
            : `trait:${c.computation.key}`,
        ),
      },
    });
  }
  port.keep(evaluation.snapshot, state);
  await port.schedule(evaluation.nextChangeAt);
  return out;
}

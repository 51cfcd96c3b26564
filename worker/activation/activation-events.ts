// The events activation emits, shaped as Segment's Engage sends them
// (https://segment.com/docs/engage/using-engage-data/): audience changes as identify
// `traits.<audience_key>: true|false` and/or track `Audience Entered` / `Audience Exited` with
// `properties.audience_key`; computed traits as identify `traits.<trait_key>: value` and/or track
// `Trait Computed`; all with `context.personas`. The messageId is derived from the computation, the
// profile, the value and the instant, so re-emitting after a retry is a duplicate the edge drops.
import { sha256Hex } from "../platform/index.ts";
import type { JsonObject, JsonValue, NormalizedMessage } from "../message/index.ts";

export type ActivationMode = "identify" | "track" | "both";

export interface ComputationRef {
  spaceId: string;
  /** Stable id of the audience or computed trait definition (Segment's computation_id). */
  computationId: string;
  /** The audience or trait key (Segment's computation_key). */
  key: string;
}

export interface ProfileRef {
  profileId: string;
  userId?: string;
  anonymousId?: string;
}

function personas(ref: ComputationRef, computationClass: "audience" | "trait"): JsonObject {
  return {
    computation_class: computationClass,
    computation_id: ref.computationId,
    computation_key: ref.key,
    namespace: `spa_${ref.spaceId}`,
    space_id: ref.spaceId,
  };
}

async function message(
  kind: "identify" | "track",
  ref: ComputationRef,
  profile: ProfileRef,
  at: string,
  fields: { event?: string; traits?: JsonObject; properties?: JsonObject },
  computationClass: "audience" | "trait",
): Promise<NormalizedMessage> {
  const payload = JSON.stringify([kind, ref.computationId, profile.profileId, fields, at]);
  const out: NormalizedMessage = {
    type: kind,
    messageId: `personas-${(await sha256Hex(payload)).slice(0, 32)}`,
    context: { personas: personas(ref, computationClass) },
    integrations: {},
    timestamp: at,
    originalTimestamp: at,
    receivedAt: at,
    version: 2,
    ...fields,
  };
  if (profile.userId !== undefined) out.userId = profile.userId;
  if (profile.anonymousId !== undefined) out.anonymousId = profile.anonymousId;
  return out;
}

/** Messages announcing that a profile entered (`member` true) or exited an audience at `at` (ISO). */
export async function audienceChangeMessages(
  ref: ComputationRef,
  profile: ProfileRef,
  member: boolean,
  at: string,
  mode: ActivationMode,
): Promise<NormalizedMessage[]> {
  const out: NormalizedMessage[] = [];
  if (mode !== "track")
    out.push(
      await message("identify", ref, profile, at, { traits: { [ref.key]: member } }, "audience"),
    );
  if (mode !== "identify") {
    const properties = { audience_key: ref.key, [ref.key]: member };
    out.push(
      await message(
        "track",
        ref,
        profile,
        at,
        { event: member ? "Audience Entered" : "Audience Exited", properties },
        "audience",
      ),
    );
  }
  return out;
}

/**
 * Messages for a computed trait whose value changed (Segment sends only on change: returns [] when
 * `previous` deep-equals `next`).
 */
export async function computedTraitMessages(
  ref: ComputationRef,
  profile: ProfileRef,
  previous: JsonValue | undefined,
  next: JsonValue,
  at: string,
  mode: ActivationMode,
): Promise<NormalizedMessage[]> {
  if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(next)) return [];
  const out: NormalizedMessage[] = [];
  if (mode !== "track")
    out.push(await message("identify", ref, profile, at, { traits: { [ref.key]: next } }, "trait"));
  if (mode !== "identify") {
    out.push(
      await message(
        "track",
        ref,
        profile,
        at,
        { event: "Trait Computed", properties: { trait_key: ref.key, [ref.key]: next } },
        "trait",
      ),
    );
  }
  return out;
}

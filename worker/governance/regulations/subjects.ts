// The person a regulation is about, once resolved: every id and email the subjects and their
// profiles carry, the profiles themselves and the (source, messageId) of every event in their
// history. Stored with the regulation's work in the space's IdentityGraph while it runs, and
// erased with it.
import { deletedSubjectPredicate } from "./erasure/deleted-subject.ts";
import { readSpacePrivacy, storageHashKey, storedSubjectForms } from "../../gate/index.ts";
import type { EventPredicate } from "./erasure/archive-rewrite.ts";
import type { SubjectType } from "./model.ts";
import { eventRef } from "../../message/index.ts";

export interface ResolvedSubjects {
  userIds: string[];
  anonymousIds: string[];
  /** Lower-cased raw emails. */
  emails: string[];
  /** User profiles: the canonical ones and every profile folded into them. */
  profileIds: string[];
  /** Account profiles linked to them: their histories hold the person's group calls. */
  linkedProfileIds: string[];
  /** `sourceId` + "\n" + `messageId` of every event in the profiles' histories. */
  events: string[];
}

/** What the regulation named, before resolution: the starting point of `resolve_profiles`. */
export function subjectsOnly(type: SubjectType, ids: readonly string[]): ResolvedSubjects {
  return {
    userIds: type === "USER_ID" ? [...ids] : [],
    anonymousIds: type === "ANONYMOUS_ID" ? [...ids] : [],
    emails: type === "EMAIL" ? ids.map((e) => e.toLowerCase()) : [],
    profileIds: [],
    linkedProfileIds: [],
    events: [],
  };
}

/** Adds `extra` to `base`, keeping each list distinct and sorted (so retries compare equal). */
export function mergeSubjects(
  base: ResolvedSubjects,
  extra: Partial<ResolvedSubjects>,
): ResolvedSubjects {
  const join = (a: readonly string[], b: readonly string[] = []) =>
    [...new Set([...a, ...b])].sort();
  return {
    userIds: join(base.userIds, extra.userIds),
    anonymousIds: join(base.anonymousIds, extra.anonymousIds),
    emails: join(
      base.emails,
      extra.emails?.map((e) => e.trim().toLowerCase()),
    ),
    profileIds: join(base.profileIds, extra.profileIds),
    linkedProfileIds: join(base.linkedProfileIds, extra.linkedProfileIds),
    events: join(base.events, extra.events),
  };
}

export { eventRef };

/**
 * The predicate for one source's stored events: the subjects' ids and emails (raw or hashed,
 * worker/governance/regulations/erasure/deleted-subject.ts) or an event of their profiles' history.
 */
export async function subjectPredicate(
  subjects: ResolvedSubjects,
  sourceId: string,
): Promise<EventPredicate> {
  const byIds = await deletedSubjectPredicate(subjects);
  const history = new Set(subjects.events);
  return (event) =>
    byIds(event) ||
    (typeof event.messageId === "string" && history.has(eventRef(sourceId, event.messageId)));
}

/**
 * The subjects with the forms the space's stores hold them in as well: emails, and ids shaped
 * like an email or phone, keyed-hashed under the space's storage key (privacy/storage-hash.ts).
 * What the R2 erasure matches stored events against.
 */
export async function withStoredForms(
  env: Env,
  spaceId: string,
  subjects: ResolvedSubjects,
): Promise<ResolvedSubjects> {
  const privacy = await readSpacePrivacy(env, spaceId);
  const forms = await storedSubjectForms(
    await storageHashKey(privacy.hashSecret),
    privacy.policy.storage,
    subjects,
  );
  return { ...subjects, ...forms };
}

// Where a profile lives: its Durable Object is named within its space (Invariant 8 in
// docs/architecture.md), so a profile id that another space derives, guesses or reads can never
// reach this space's object.
import type { ProfileObject } from "./profile-object.ts";

/** The Durable Object name of `profileId` in `spaceId`. */
export function profileObjectName(spaceId: string, profileId: string): string {
  return `${spaceId}/${profileId}`;
}

/** The stub of a space's profile. */
export function profileStub(
  env: Env,
  spaceId: string,
  profileId: string,
): DurableObjectStub<ProfileObject> {
  return env.PROFILES.get(env.PROFILES.idFromName(profileObjectName(spaceId, profileId)));
}

// One ProfileObject per person: events, traits, counters, the Profile API and its access rules.
export { createAccessToken, listAccessTokens, revokeAccessToken } from "./access.ts";
export { profileApi } from "./profile-api.ts";
export { profileStub } from "./profile-name.ts";
export { ProfileObject, type ProfileWork } from "./profile-object.ts";
export type { EventRecord } from "./profile-store.ts";
export { counterKey, type TraitEntry, traitWrites, visibleTraits } from "./traits.ts";

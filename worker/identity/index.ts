// Identity resolution: identifier rules, the IdentityGraph core and its store, merges and
// the feed that writes resolved events to profiles.
export { feedIdentity } from "./feed.ts";
export { IdentityGraphCore } from "./graph-object.ts";
export { eraseProfiles, foldedInto } from "./graph-store.ts";
export type { Collection } from "./identifiers.ts";
export { parseIdentitySettings } from "./settings.ts";

// A short-lived per-isolate copy of a space's activation definitions, so a burst of events does not
// ask the space's Durable Object for them once per profile. Admin writes forget the copy at once
// in their isolate; other isolates see a change within CACHE_MS.
import { spaceActivation } from "../delivery/index.ts";
import { definitionsFromStored, type ActivationDefinitions } from "./profile-evaluation.ts";

const CACHE_MS = 2_000;
const MAX_SPACES = 1_000;
/** The promise is cached, so the profiles of a burst that miss together share one request. */
const cache = new Map<string, { at: number; defs: Promise<ActivationDefinitions> }>();

/** The space's current computed trait and audience definitions. */
export function loadDefinitions(env: Env, spaceId: string): Promise<ActivationDefinitions> {
  const now = Date.now();
  const hit = cache.get(spaceId);
  if (hit && now - hit.at < CACHE_MS) return hit.defs;
  const defs = spaceActivation(env, spaceId)
    .definitions()
    .then((text) => definitionsFromStored((JSON.parse(text) as { definitions: [] }).definitions));
  if (cache.size >= MAX_SPACES) cache.clear();
  const entry = { at: now, defs };
  cache.set(spaceId, entry);
  // A failed read is not remembered.
  defs.catch(() => {
    if (cache.get(spaceId) === entry) cache.delete(spaceId);
  });
  return defs;
}

/** Drops the cached copy after a definition change. */
export function forgetDefinitions(spaceId: string): void {
  cache.delete(spaceId);
}

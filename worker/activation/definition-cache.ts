// A short-lived per-isolate copy of a space's activation definitions, so a burst of events does not
// ask the space's Durable Object for them once per profile. Admin writes forget the copy at once
// in their isolate; other isolates see a change within CACHE_MS.
import { spaceActivation } from "../delivery/index.ts";
import { definitionsFromStored, type ActivationDefinitions } from "./profile-evaluation.ts";

const CACHE_MS = 2_000;
const MAX_SPACES = 1_000;
const cache = new Map<string, { at: number; defs: ActivationDefinitions }>();

/** The space's current computed trait and audience definitions. */
export async function loadDefinitions(env: Env, spaceId: string): Promise<ActivationDefinitions> {
  const now = Date.now();
  const hit = cache.get(spaceId);
  if (hit && now - hit.at < CACHE_MS) return hit.defs;
  const text = await spaceActivation(env, spaceId).definitions();
  const defs = definitionsFromStored((JSON.parse(text) as { definitions: [] }).definitions);
  if (cache.size >= MAX_SPACES) cache.clear();
  cache.set(spaceId, { at: now, defs });
  return defs;
}

/** Drops the cached copy after a definition change. */
export function forgetDefinitions(spaceId: string): void {
  cache.delete(spaceId);
}

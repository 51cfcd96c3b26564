// A short-lived per-isolate copy of a space's activation definitions, so a burst of events does not
// ask the space's Durable Object for them once per profile. Admin writes forget the copy at once
// in their isolate; other isolates see a change within 2 s (platform/short-cache.ts).
import { spaceActivation } from "../delivery/index.ts";
import { ShortCache } from "../platform/index.ts";
import { definitionsFromStored, type ActivationDefinitions } from "./profile-evaluation.ts";

const cache = new ShortCache<ActivationDefinitions>(2_000, 1_000);

/** The space's current computed trait and audience definitions. */
export function loadDefinitions(env: Env, spaceId: string): Promise<ActivationDefinitions> {
  return cache.get(spaceId, () =>
    spaceActivation(env, spaceId)
      .definitions()
      .then((text) => definitionsFromStored((JSON.parse(text) as { definitions: [] }).definitions)),
  );
}

/** Drops the cached copy after a definition change. */
export function forgetDefinitions(spaceId: string): void {
  cache.forget(spaceId);
}

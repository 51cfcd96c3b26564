// A profile through the admin API: traits masked by the space's storage policy (profiles:read),
// raw traits only with the PII grant (pii:read), and the profile's latest consent. A profile of
// another space, or none, is a 404.
import { Hono, type Context } from "hono";
import { ApiError } from "../errors.ts";
import { visibleTraits, type TraitEntry } from "../identity/traits.ts";
import { applyPiiPolicy } from "../privacy/pii-policy.ts";
import { readSpacePrivacy } from "../privacy/space-settings-store.ts";
import type { NormalizedMessage } from "../spec/message.ts";
import type { AdminEnv } from "./principal.ts";
import { profileStub } from "../profiles/profile-name.ts";

export const profileReadsAdmin = new Hono<AdminEnv>();

async function profileOf(c: Context<AdminEnv>) {
  const spaceId = c.req.param("spaceId") ?? "";
  const profileId = c.req.param("profileId") ?? "";
  const graph = c.env.IDENTITY_GRAPH.get(c.env.IDENTITY_GRAPH.idFromName(spaceId));
  const canonical = await graph.canonical(profileId);
  if (canonical === undefined)
    throw new ApiError(404, "profile_not_found", `no profile ${profileId}`);
  const stub = profileStub(c.env, spaceId, canonical);
  const traits = visibleTraits(JSON.parse(await stub.traitEntries()) as Record<string, TraitEntry>);
  const consent = JSON.parse(await stub.consent()) as unknown;
  return { spaceId, profileId: canonical, traits, consent };
}

profileReadsAdmin.get("/spaces/:spaceId/profiles/:profileId/masked", async (c) => {
  const { spaceId, profileId, traits, consent } = await profileOf(c);
  const policy = (await readSpacePrivacy(c.env, spaceId)).policy.storage;
  // The traits go through the storage policy as an identify's traits would: PII hashed.
  const carrier = {
    type: "identify",
    messageId: "profile-read",
    traits,
    context: {},
    integrations: {},
    timestamp: new Date(0).toISOString(),
    originalTimestamp: new Date(0).toISOString(),
  } as unknown as NormalizedMessage;
  const masked = await applyPiiPolicy(carrier, policy, { ipMode: "keep" });
  return c.json({
    profile: {
      id: profileId,
      traits: masked.message.traits ?? {},
      consent,
      piiMasked: true,
    },
  });
});

profileReadsAdmin.get("/spaces/:spaceId/profiles/:profileId/pii", async (c) => {
  const { profileId, traits, consent } = await profileOf(c);
  return c.json({ profile: { id: profileId, traits, consent, piiMasked: false } });
});

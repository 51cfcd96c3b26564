// A profile through the admin API: traits masked by the space's storage policy (profiles:read),
// raw traits only with the PII grant (pii:read), and the profile's latest consent. A profile of
// another space, or none, is a 404.
import { Hono, type Context } from "hono";
import { ApiError } from "../errors.ts";
import { visibleTraits, type TraitEntry, profileStub } from "../profiles/index.ts";
import { applyPiiPolicy, type PiiPolicy } from "../gate/index.ts";
import type { NormalizedMessage } from "../message/index.ts";
import type { AdminEnv } from "./auth/principal.ts";

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

/** Every PII class hashed; IP and MAC dropped (their hashes are reversed by enumeration). */
export const MASKED_READ_POLICY: PiiPolicy = {
  classes: { ip: "dropped", mac: "dropped" },
  default: "hashed",
  phoneFormat: "e164",
};

profileReadsAdmin.get("/spaces/:spaceId/profiles/:profileId/masked", async (c) => {
  const { profileId, traits, consent } = await profileOf(c);
  // A fixed masking policy, never the space's storage policy: that one may be `raw`, and a masked
  // read must mask whatever the space stores.
  const policy = MASKED_READ_POLICY;
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

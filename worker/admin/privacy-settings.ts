// Admin API for a space's privacy configuration: consent settings, PII policy, retention. Each
// body is validated whole before anything is saved (a bad one changes nothing), and each change is
// saved in one D1 batch with its audit entry.
import { Hono, type Context } from "hono";
import { z } from "../message/index.ts";
import { ApiError } from "../errors.ts";
import {
  parseConsentSettings,
  parsePrivacyPolicy,
  DEFAULT_RETENTION_DAYS,
  readSpacePrivacy,
  rotateHashSecretStatement,
  spacePrivacyStatement,
  type SpacePrivacyChange,
} from "../gate/index.ts";
import { getSpace } from "../sources/index.ts";
import { auditStatement } from "../platform/index.ts";
import { principalOf, type AdminEnv } from "./auth/principal.ts";
import { parseBody, parsePrivacyInput, readJson } from "./validate.ts";
import { assertRawAllowed, newlyRawInPrivacy } from "./auth/raw-grant.ts";

export const privacyAdmin = new Hono<AdminEnv>();

async function spaceOf(c: Context<AdminEnv>): Promise<string> {
  const id = c.req.param("spaceId") ?? "";
  if (!(await getSpace(c.env, id))) throw new ApiError(404, "space_not_found", `no space ${id}`);
  return id;
}

async function save(
  c: Context<AdminEnv>,
  spaceId: string,
  change: SpacePrivacyChange,
  action: string,
): Promise<void> {
  await c.env.DB.batch([
    await spacePrivacyStatement(c.env, spaceId, change),
    auditStatement(c.env, { spaceId, actor: principalOf(c).actor, action, target: spaceId }),
  ]);
}

privacyAdmin.get("/spaces/:spaceId/consent", async (c) => {
  const privacy = await readSpacePrivacy(c.env, await spaceOf(c));
  return c.json({ consent: privacy.consent });
});

privacyAdmin.put("/spaces/:spaceId/consent", async (c) => {
  const spaceId = await spaceOf(c);
  const body = await readJson(c.req.raw);
  const consent = parsePrivacyInput(() => parseConsentSettings(body));
  await save(c, spaceId, { consent }, "consent.updated");
  return c.json({ consent });
});

privacyAdmin.get("/spaces/:spaceId/privacy-policy", async (c) => {
  const privacy = await readSpacePrivacy(c.env, await spaceOf(c));
  return c.json({ policy: privacy.policy });
});

privacyAdmin.put("/spaces/:spaceId/privacy-policy", async (c) => {
  const spaceId = await spaceOf(c);
  const body = await readJson(c.req.raw);
  const policy = parsePrivacyInput(() => parsePrivacyPolicy(body));
  const before = (await readSpacePrivacy(c.env, spaceId)).policy;
  assertRawAllowed(principalOf(c).grants, newlyRawInPrivacy(before, policy));
  await save(c, spaceId, { policy }, "privacy_policy.updated");
  return c.json({ policy });
});

/**
 * Rotates the space's storage hash key (README "Security"): PII stored from now on is hashed
 * under a new key. The key itself is never returned.
 */
privacyAdmin.post("/spaces/:spaceId/privacy-policy/rotate-hash-key", async (c) => {
  const spaceId = await spaceOf(c);
  await readSpacePrivacy(c.env, spaceId); // the row exists before it is updated
  await c.env.DB.batch([
    rotateHashSecretStatement(c.env, spaceId),
    auditStatement(c.env, {
      spaceId,
      actor: principalOf(c).actor,
      action: "storage_hash_key.rotated",
      target: spaceId,
    }),
  ]);
  return c.json({ rotated: true, rotatedAt: new Date().toISOString() });
});

const retentionBody = z.strictObject({
  /** `null` returns the space to the default. */
  retentionDays: z.number().int().min(1).max(3650).nullable(),
});

privacyAdmin.get("/spaces/:spaceId/retention", async (c) => {
  const privacy = await readSpacePrivacy(c.env, await spaceOf(c));
  return c.json({
    retentionDays: privacy.retentionDays,
    configured: privacy.retentionConfigured,
    defaultDays: DEFAULT_RETENTION_DAYS,
  });
});

privacyAdmin.put("/spaces/:spaceId/retention", async (c) => {
  const spaceId = await spaceOf(c);
  const { retentionDays } = parseBody(retentionBody, await readJson(c.req.raw));
  await save(c, spaceId, { retentionDays }, "retention.updated");
  return c.json({
    retentionDays: retentionDays ?? DEFAULT_RETENTION_DAYS,
    configured: retentionDays !== null,
    defaultDays: DEFAULT_RETENTION_DAYS,
  });
});

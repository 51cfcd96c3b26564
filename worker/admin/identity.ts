// Admin API for identity: Profile API access tokens, identity resolution settings, the merge
// audit log.
import { Hono } from "hono";
import { z } from "../message/index.ts";
import { ApiError } from "../errors.ts";
import { parseIdentitySettings } from "../identity/index.ts";
import {
  createAccessToken,
  listAccessTokens,
  revokeAccessToken,
  profileStub,
} from "../profiles/index.ts";
import { getSpace } from "../sources/index.ts";
import { parseBody, readJson } from "./validate.ts";
import type { AdminEnv } from "./auth/principal.ts";

async function requireSpaceId(env: Env, id: string): Promise<string> {
  if (!(await getSpace(env, id))) throw new ApiError(404, "space_not_found", `no space ${id}`);
  return id;
}

function graphOf(env: Env, spaceId: string) {
  return env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
}

export const identityAdmin = new Hono<AdminEnv>();

identityAdmin.post("/spaces/:spaceId/access-tokens", async (c) => {
  const spaceId = await requireSpaceId(c.env, c.req.param("spaceId"));
  const { name, ttlDays } = parseBody(
    z.strictObject({
      name: z.string().trim().min(1).max(100),
      /** Days until the token is refused: 1–365, default 90. */
      ttlDays: z.number().int().min(1).max(365).optional(),
    }),
    await readJson(c.req.raw),
  );
  const created = await createAccessToken(c.env, spaceId, name, ttlDays);
  return c.json({ accessToken: { ...created, name } }, 201);
});

identityAdmin.get("/spaces/:spaceId/access-tokens", async (c) => {
  const spaceId = await requireSpaceId(c.env, c.req.param("spaceId"));
  return c.json({ accessTokens: await listAccessTokens(c.env, spaceId) });
});

identityAdmin.delete("/spaces/:spaceId/access-tokens/:tokenId", async (c) => {
  const spaceId = await requireSpaceId(c.env, c.req.param("spaceId"));
  const id = c.req.param("tokenId");
  if (!(await revokeAccessToken(c.env, spaceId, id)))
    throw new ApiError(404, "token_not_found", `no live access token ${id}`);
  return c.json({ revoked: id });
});

identityAdmin.get("/spaces/:spaceId/identity-settings", async (c) => {
  const spaceId = await requireSpaceId(c.env, c.req.param("spaceId"));
  const settings = await graphOf(c.env, spaceId).settings();
  return new Response(`{"settings":${settings}}`, {
    headers: { "content-type": "application/json" },
  });
});

identityAdmin.put("/spaces/:spaceId/identity-settings", async (c) => {
  const spaceId = await requireSpaceId(c.env, c.req.param("spaceId"));
  const settings = await readJson(c.req.raw);
  parseIdentitySettings(settings); // IdentitySettingsError is an InputError (app.onError)
  await graphOf(c.env, spaceId).configure(settings);
  return c.json({ settings });
});

identityAdmin.get("/spaces/:spaceId/identity-audit", async (c) => {
  const spaceId = await requireSpaceId(c.env, c.req.param("spaceId"));
  const action = c.req.query("action");
  const profile = c.req.query("profile");
  const messageId = c.req.query("messageId");
  const where = ["space_id = ?"];
  const args: string[] = [spaceId];
  if (action) {
    where.push("action = ?");
    args.push(action);
  }
  if (profile) {
    where.push("(survivor = ? OR folded = ?)");
    args.push(profile, profile);
  }
  if (messageId) {
    where.push("message_id = ?");
    args.push(messageId);
  }
  const { results } = await c.env.DB.prepare(
    `SELECT * FROM identity_audit WHERE ${where.join(" AND ")} ORDER BY at, id LIMIT 1000`,
  )
    .bind(...args)
    .all<Record<string, unknown>>();
  return c.json({
    entries: results.map((r) => ({
      id: r.id,
      messageId: r.message_id,
      action: r.action,
      rule: r.rule,
      survivor: r.survivor,
      folded: r.folded,
      identifiers: JSON.parse(String(r.identifiers)) as unknown,
      detail: r.detail,
      at: new Date(Number(r.at)).toISOString(),
    })),
  });
});

/**
 * Every profile of the space with its identifiers and canonical export (traits, counters, event
 * ids, links): what replay compares, and a privacy officer's data export. Bounded to 10,000.
 */
const MAX_EXPORT_PROFILES = 10_000;

identityAdmin.get("/spaces/:spaceId/profiles/export", async (c) => {
  const spaceId = await requireSpaceId(c.env, c.req.param("spaceId"));
  const graph = graphOf(c.env, spaceId);
  // Bounded reads: one page of profile ids, then only those profiles' identifiers.
  const ids = await graph.profilePage("", MAX_EXPORT_PROFILES);
  const last = ids[ids.length - 1];
  if (last !== undefined && (await graph.profilePage(last, 1)).length > 0) {
    throw new ApiError(413, "export_too_large", "more than 10,000 profiles; export by profile");
  }
  const byProfile = new Map<string, string[]>();
  for (const { key, profileId } of await graph.partitionOf(ids)) {
    byProfile.set(profileId, [...(byProfile.get(profileId) ?? []), key]);
  }
  const exports = await Promise.all(
    ids.map(async (id) => {
      const text = await profileStub(c.env, spaceId, id).exportProfile();
      return `${JSON.stringify(id)}:{"identifiers":${JSON.stringify(byProfile.get(id)?.sort() ?? [])},"profile":${text}}`;
    }),
  );
  return new Response(`{"profiles":{${exports.join(",")}}}`, {
    headers: { "content-type": "application/json" },
  });
});

// Admin token management: issue (shown once), list, revoke. A token can never carry a grant its
// issuer lacks, so an Admin without PII access cannot mint one that has it.
import { Hono, type Context } from "hono";
import { ApiError } from "../errors.ts";
import { parseTokenRequest } from "./auth/tokens.ts";
import { isRecord } from "../gate/index.ts";
import { getSpace } from "../sources/index.ts";
import { auditStatement } from "../platform/index.ts";
import { assertSpaceVisible, principalOf, type AdminEnv } from "./auth/principal.ts";
import {
  createAdminToken,
  listAdminTokens,
  revokeAdminToken,
  tokenJson,
} from "./auth/token-store.ts";
import { parsePrivacyInput, readJson } from "./validate.ts";

export const tokensAdmin = new Hono<AdminEnv>();

async function issue(c: Context<AdminEnv>, spaceId: string, body: unknown): Promise<Response> {
  const principal = principalOf(c);
  assertSpaceVisible(principal, spaceId);
  if (!(await getSpace(c.env, spaceId))) {
    throw new ApiError(404, "space_not_found", `no space ${spaceId}`);
  }
  const request = parsePrivacyInput(() => parseTokenRequest(body));
  const missing = request.grants.filter((g) => !principal.grants.includes(g));
  if (missing.length > 0) {
    throw new ApiError(
      403,
      "grant_not_held",
      `cannot give a grant you do not hold: ${missing.join(", ")}`,
    );
  }
  const { token, record } = await createAdminToken(c.env, spaceId, request, new Date());
  await auditStatement(c.env, {
    spaceId,
    actor: principal.actor,
    action: "token.issued",
    target: `token:${record.id}`,
    detail: { role: record.role, grants: record.grants, expiresAt: record.expiresAt ?? null },
  }).run();
  return c.json({ token, adminToken: tokenJson(record) }, 201);
}

/** Bootstrap: `{spaceId, role, grants?, ttlDays?}`. */
tokensAdmin.post("/tokens", async (c) => {
  const body = await readJson(c.req.raw);
  if (!isRecord(body) || typeof body.spaceId !== "string" || body.spaceId === "") {
    throw new ApiError(400, "missing_space", "spaceId must name the token's space", {
      field: "spaceId",
    });
  }
  const { spaceId, ...rest } = body;
  return issue(c, spaceId, rest);
});

tokensAdmin.post("/spaces/:spaceId/tokens", async (c) =>
  issue(c, c.req.param("spaceId"), await readJson(c.req.raw)),
);

tokensAdmin.get("/spaces/:spaceId/tokens", async (c) => {
  const spaceId = c.req.param("spaceId");
  assertSpaceVisible(principalOf(c), spaceId);
  return c.json({ tokens: (await listAdminTokens(c.env, spaceId)).map(tokenJson) });
});

tokensAdmin.delete("/spaces/:spaceId/tokens/:tokenId", async (c) => {
  const spaceId = c.req.param("spaceId");
  const principal = principalOf(c);
  assertSpaceVisible(principal, spaceId);
  const id = c.req.param("tokenId");
  if (!(await revokeAdminToken(c.env, spaceId, id, Date.now()))) {
    throw new ApiError(404, "token_not_found", `no token ${id} in this space`);
  }
  await auditStatement(c.env, {
    spaceId,
    actor: principal.actor,
    action: "token.revoked",
    target: `token:${id}`,
  }).run();
  return c.json({ revoked: id });
});

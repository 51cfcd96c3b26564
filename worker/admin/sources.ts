// Admin API for spaces and sources: create, list, read, change, disable/enable, rotate write keys.
import { Hono } from "hono";
import { z } from "../message/index.ts";
import { ApiError } from "../errors.ts";
import { forgetSource } from "../ingest/index.ts";
import { dropLease } from "../gate/index.ts";
import {
  createSource,
  createSpace,
  DEFAULT_RATE_LIMIT,
  getSource,
  getSpace,
  listSources,
  listSpaces,
  rotateWriteKey,
  toSnapshot,
  updateSource,
  type SourceRow,
  type SpaceRow,
} from "../sources/index.ts";
import { parseBody, readJson } from "./validate.ts";
import { canSeeSpace, principalOf, type AdminEnv } from "./auth/principal.ts";

const rateLimit = z.strictObject({
  eventsPerSecond: z.number().int().min(1).max(10_000_000),
  burst: z.number().int().min(1).max(10_000_000),
});
const spaceBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
const ipMode = z.enum(["truncate", "keep", "drop"]);
const sourceBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  ipMode: ipMode.optional(),
  retentionDays: z.number().int().min(1).max(3650).optional(),
  rateLimit: rateLimit.optional(),
});
const sourcePatch = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  ipMode: ipMode.optional(),
  enabled: z.boolean().optional(),
  retentionDays: z.number().int().min(1).max(3650).optional(),
  rateLimit: rateLimit.optional(),
});

function spaceJson(row: SpaceRow) {
  return { id: row.id, name: row.name, createdAt: new Date(row.createdAt).toISOString() };
}

export function sourceJson(row: SourceRow) {
  return {
    id: row.id,
    spaceId: row.spaceId,
    name: row.name,
    enabled: row.enabled,
    retentionDays: row.retentionDays,
    ipMode: row.ipMode,
    rateLimit: { eventsPerSecond: row.rateLimitPerSecond, burst: row.rateLimitBurst },
    writeKeyHint: `…${row.writeKeyHint}`,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

async function requireSpace(env: Env, id: string): Promise<SpaceRow> {
  const space = await getSpace(env, id);
  if (!space) throw new ApiError(404, "space_not_found", `no space ${id}`);
  return space;
}

export async function requireSource(env: Env, id: string): Promise<SourceRow> {
  const source = await getSource(env, id);
  if (!source) throw new ApiError(404, "source_not_found", `no source ${id}`);
  return source;
}

/**
 * Tells the source's gate, this isolate's key cache and its lease about a change: it applies at
 * once here, and within a lease (worker/gate/admission/lease.ts, 1 s) in other isolates.
 */
async function publish(env: Env, row: SourceRow): Promise<void> {
  forgetSource(row.id);
  dropLease(row.id);
  await env.SOURCE_GATE.get(env.SOURCE_GATE.idFromName(row.id)).configure(toSnapshot(row));
}

export const sourcesAdmin = new Hono<AdminEnv>();

sourcesAdmin.post("/spaces", async (c) => {
  const { name } = parseBody(spaceBody, await readJson(c.req.raw));
  return c.json({ space: spaceJson(await createSpace(c.env, name)) }, 201);
});

sourcesAdmin.get("/spaces", async (c) => {
  const principal = principalOf(c);
  const visible = (await listSpaces(c.env)).filter((s) => canSeeSpace(principal, s.id));
  return c.json({ spaces: visible.map(spaceJson) });
});

sourcesAdmin.get("/spaces/:spaceId", async (c) => {
  return c.json({ space: spaceJson(await requireSpace(c.env, c.req.param("spaceId"))) });
});

sourcesAdmin.post("/spaces/:spaceId/sources", async (c) => {
  const space = await requireSpace(c.env, c.req.param("spaceId"));
  const body = parseBody(sourceBody, await readJson(c.req.raw));
  const { row, writeKey } = await createSource(c.env, space.id, {
    name: body.name,
    ipMode: body.ipMode ?? "truncate",
    retentionDays: body.retentionDays ?? 90,
    rateLimitPerSecond: body.rateLimit?.eventsPerSecond ?? DEFAULT_RATE_LIMIT.perSecond,
    rateLimitBurst: body.rateLimit?.burst ?? DEFAULT_RATE_LIMIT.burst,
  });
  await publish(c.env, row);
  return c.json({ source: sourceJson(row), writeKey }, 201);
});

sourcesAdmin.get("/spaces/:spaceId/sources", async (c) => {
  const space = await requireSpace(c.env, c.req.param("spaceId"));
  return c.json({ sources: (await listSources(c.env, space.id)).map(sourceJson) });
});

sourcesAdmin.get("/sources/:sourceId", async (c) => {
  return c.json({ source: sourceJson(await requireSource(c.env, c.req.param("sourceId"))) });
});

sourcesAdmin.patch("/sources/:sourceId", async (c) => {
  const current = await requireSource(c.env, c.req.param("sourceId"));
  const body = parseBody(sourcePatch, await readJson(c.req.raw));
  const row = await updateSource(c.env, current, {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.enabled !== undefined && { enabled: body.enabled }),
    ...(body.ipMode !== undefined && { ipMode: body.ipMode }),
    ...(body.retentionDays !== undefined && { retentionDays: body.retentionDays }),
    ...(body.rateLimit && {
      rateLimitPerSecond: body.rateLimit.eventsPerSecond,
      rateLimitBurst: body.rateLimit.burst,
    }),
  });
  await publish(c.env, row);
  return c.json({ source: sourceJson(row) });
});

for (const [action, enabled] of [
  ["disable", false],
  ["enable", true],
] as const) {
  sourcesAdmin.post(`/sources/:sourceId/${action}`, async (c) => {
    const current = await requireSource(c.env, c.req.param("sourceId"));
    const row = await updateSource(c.env, current, { enabled });
    await publish(c.env, row);
    return c.json({ source: sourceJson(row) });
  });
}

sourcesAdmin.post("/sources/:sourceId/rotate-key", async (c) => {
  const current = await requireSource(c.env, c.req.param("sourceId"));
  const { row, writeKey } = await rotateWriteKey(c.env, current);
  await publish(c.env, row);
  return c.json({ source: sourceJson(row), writeKey });
});

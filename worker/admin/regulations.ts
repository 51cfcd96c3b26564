// The regulations API: Segment's `POST /v1/regulations` (the space is the admin token's) and the
// same under `/admin/v1/spaces/:spaceId/regulations` (for the owner token, which has no space).
// A request is validated whole (worker/governance/regulations/model.ts) before anything is stored; the
// subjects go to the space's IdentityGraph, whose alarm runs the steps.
import { Hono, type Context } from "hono";
import { ApiError } from "../errors.ts";
import { randomToken } from "../platform/index.ts";
import {
  initialRegulationState,
  parseRegulationRequest,
  destinationDeletionsOf,
  deleteRegulation,
  getRegulation,
  insertRegulation,
  listRegulations,
  type RegulationRecord,
} from "../governance/index.ts";
import { getSpace } from "../sources/index.ts";
import { assertSpaceVisible, principalOf, type AdminEnv } from "./auth/principal.ts";
import { parsePrivacyInput, readJson } from "./validate.ts";

type Ctx = Context<AdminEnv>;

async function regulationJson(env: Env, r: RegulationRecord) {
  return {
    id: r.id,
    regulationType: r.regulationType,
    subjectType: r.subjectType,
    subjectCount: r.subjectCount,
    status: r.state.status,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: r.state.updatedAt,
    steps: r.state.steps,
    destinations: await destinationDeletionsOf(env, r.spaceId, r.id),
  };
}

/** The space of the request: the path's, or the space token's own for `/v1/regulations`. */
async function spaceOf(c: Ctx): Promise<string> {
  const principal = principalOf(c);
  const fromPath = c.req.param("spaceId");
  const spaceId = fromPath ?? principal.spaceId;
  if (spaceId === undefined) {
    throw new ApiError(
      400,
      "space_required",
      "the owner token has no space: use /admin/v1/spaces/:spaceId/regulations",
    );
  }
  assertSpaceVisible(principal, spaceId);
  if (!(await getSpace(c.env, spaceId)))
    throw new ApiError(404, "space_not_found", `no space ${spaceId}`);
  return spaceId;
}

async function create(c: Ctx): Promise<Response> {
  const spaceId = await spaceOf(c);
  const body = await readJson(c.req.raw);
  const request = parsePrivacyInput(() => parseRegulationRequest(body));
  const id = `reg_${randomToken(20)}`;
  const state = initialRegulationState(request.regulationType, new Date().toISOString());
  await insertRegulation(c.env, id, spaceId, request, state, principalOf(c).actor);
  try {
    const graph = c.env.IDENTITY_GRAPH.get(c.env.IDENTITY_GRAPH.idFromName(spaceId));
    await graph.enqueueRegulation({
      regulationId: id,
      spaceId,
      subjectType: request.subjectType,
      subjects: request.subjectIds,
      resolved: null,
    });
  } catch (error) {
    await deleteRegulation(c.env, id);
    throw new ApiError(503, "regulation_unavailable", "the regulation could not be queued; retry", {
      retryAfter: 5,
      cause: error,
    });
  }
  const record = await getRegulation(c.env, spaceId, id);
  if (!record) throw new ApiError(500, "internal_error", "regulation vanished");
  return c.json({ data: { regulateId: id }, regulation: await regulationJson(c.env, record) }, 201);
}

async function list(c: Ctx): Promise<Response> {
  const spaceId = await spaceOf(c);
  const records = await listRegulations(c.env, spaceId, 100);
  return c.json({ regulations: await Promise.all(records.map((r) => regulationJson(c.env, r))) });
}

async function read(c: Ctx): Promise<Response> {
  const spaceId = await spaceOf(c);
  const id = c.req.param("regulationId") ?? "";
  const record = await getRegulation(c.env, spaceId, id);
  if (!record) throw new ApiError(404, "regulation_not_found", `no regulation ${id}`);
  return c.json({ regulation: await regulationJson(c.env, record) });
}

async function suppressions(c: Ctx): Promise<Response> {
  const spaceId = await spaceOf(c);
  const [subjects, blocked] = await c.env.DB.batch<Record<string, unknown>>([
    c.env.DB.prepare("SELECT COUNT(*) AS n FROM suppressions WHERE space_id = ?").bind(spaceId),
    c.env.DB.prepare(
      "SELECT source_id, count, last_at FROM suppressed_events WHERE space_id = ? ORDER BY source_id",
    ).bind(spaceId),
  ]);
  return c.json({
    subjects: Number(subjects?.results[0]?.n ?? 0),
    blockedEvents: (blocked?.results ?? []).map((r) => ({
      sourceId: r.source_id,
      count: r.count,
      lastAt: new Date(Number(r.last_at)).toISOString(),
    })),
  });
}

/** Mounted at `/v1`. */
export const regulationsApi = new Hono<AdminEnv>();
regulationsApi.post("/regulations", create);
regulationsApi.get("/regulations", list);
regulationsApi.get("/regulations/:regulationId", read);

/** Mounted at `/admin/v1`. */
export const regulationsAdmin = new Hono<AdminEnv>();
regulationsAdmin.post("/spaces/:spaceId/regulations", create);
regulationsAdmin.get("/spaces/:spaceId/regulations", list);
regulationsAdmin.get("/spaces/:spaceId/regulations/:regulationId", read);
regulationsAdmin.get("/spaces/:spaceId/suppressions", suppressions);

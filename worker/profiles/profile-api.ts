// The Profile API, shaped like Segment's (https://segment.com/docs/unify/profile-api/):
// GET /v1/spaces/:spaceId/collections/:collection/profiles/:type::value/<resource>
import { Hono, type Context } from "hono";
import { ApiError } from "../errors.ts";
import type { Collection } from "../identity/index.ts";
import type { TraitEntry } from "./traits.ts";
import type { JsonObject } from "../message/index.ts";
import { requireSpaceToken } from "./access.ts";
import { profileStub } from "./profile-name.ts";

type Ctx = Context<{ Bindings: Env }>;

const COLLECTIONS = new Set(["users", "accounts"]);

function limitOf(c: Ctx, fallback: number, max: number): number {
  const raw = c.req.query("limit");
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ApiError(400, "validation_error", `limit must be an integer from 1 to ${max}`, {
      field: "limit",
    });
  }
  return n;
}

function decodeNext<T>(raw: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (raw === undefined || raw === "") return undefined;
  try {
    const value = JSON.parse(atob(raw)) as unknown;
    if (check(value)) return value;
  } catch {
    // fall through
  }
  throw new ApiError(400, "validation_error", "next is not a cursor this API returned", {
    field: "next",
  });
}

const encodeNext = (value: unknown) => btoa(JSON.stringify(value));

function cursor(c: Ctx, limit: number, next: string | undefined) {
  return {
    url: new URL(c.req.url).pathname,
    has_more: next !== undefined,
    next: next ?? "",
    limit,
  };
}

async function resolveProfile(
  c: Ctx,
): Promise<{ collection: Collection; profileId: string; spaceId: string }> {
  const collection = c.req.param("collection") ?? "";
  if (!COLLECTIONS.has(collection)) {
    throw new ApiError(400, "validation_error", "collection must be users or accounts", {
      field: "collection",
    });
  }
  const ref = decodeURIComponent(c.req.param("ref") ?? "");
  const colon = ref.indexOf(":");
  if (colon <= 0 || colon === ref.length - 1) {
    throw new ApiError(400, "validation_error", "profile must be <type>:<value>, e.g. user_id:u1", {
      field: "profile",
    });
  }
  const spaceId = c.req.param("spaceId") ?? "";
  const graph = c.env.IDENTITY_GRAPH.get(c.env.IDENTITY_GRAPH.idFromName(spaceId));
  const profileId = await graph.lookup(
    collection as Collection,
    ref.slice(0, colon).toLowerCase(),
    ref.slice(colon + 1),
  );
  if (!profileId) throw new ApiError(404, "not_found", "Profile was not found.");
  return { collection: collection as Collection, profileId, spaceId };
}

export const profileApi = new Hono<{ Bindings: Env }>();

profileApi.use("/v1/spaces/:spaceId/*", requireSpaceToken);

const base = "/v1/spaces/:spaceId/collections/:collection/profiles/:ref";

profileApi.get(`${base}/traits`, async (c) => {
  const { profileId, spaceId } = await resolveProfile(c);
  const limit = limitOf(c, 10, 200);
  const include = c.req
    .query("include")
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const verbose = c.req.query("verbose") === "true";
  const after = decodeNext(c.req.query("next"), (v): v is string => typeof v === "string");
  const entries = JSON.parse(await profileStub(c.env, spaceId, profileId).traitEntries()) as Record<
    string,
    TraitEntry
  >;
  const keys = Object.keys(entries)
    .filter((k) => entries[k]?.value !== null && (!include || include.includes(k)))
    .filter((k) => after === undefined || k > after)
    .sort();
  const page = keys.slice(0, limit);
  const traits: JsonObject = {};
  for (const key of page) {
    const entry = entries[key]!;
    traits[key] = verbose
      ? {
          value: entry.value,
          updated_at: new Date(entry.timestamp).toISOString(),
          message_id: entry.messageId,
        }
      : entry.value;
  }
  const more = keys.length > limit ? encodeNext(page.at(-1)) : undefined;
  return c.json({ traits, cursor: cursor(c, limit, more) });
});

profileApi.get(`${base}/events`, async (c) => {
  const { profileId, spaceId } = await resolveProfile(c);
  const limit = limitOf(c, 10, 100);
  const sort = c.req.query("sort") ?? "desc";
  if (sort !== "asc" && sort !== "desc") {
    throw new ApiError(400, "validation_error", "sort must be asc or desc", { field: "sort" });
  }
  const time = (name: string) => {
    const raw = c.req.query(name);
    if (raw === undefined) return undefined;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms))
      throw new ApiError(400, "validation_error", `${name} must be ISO-8601`, { field: name });
    return ms;
  };
  const after = decodeNext(
    c.req.query("next"),
    (v): v is [number, string] =>
      Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "string",
  );
  const rows = await profileStub(c.env, spaceId, profileId).events({
    limit: limit + 1,
    order: sort,
    start: time("start"),
    end: time("end"),
    after,
  });
  const page = rows.slice(0, limit);
  const data = page.map((row) => {
    const m = JSON.parse(row.body) as JsonObject;
    return {
      type: m.type,
      message_id: row.messageId,
      source_id: row.sourceId,
      timestamp: m.timestamp,
      event: m.event ?? null,
      name: m.name ?? null,
      properties: m.properties ?? {},
      traits: m.traits ?? {},
      context: m.context ?? {},
      related: { users: profileId },
    };
  });
  const last = page.at(-1);
  const more =
    rows.length > limit && last ? encodeNext([last.timestamp, last.messageId]) : undefined;
  return c.json({ data, cursor: cursor(c, limit, more) });
});

profileApi.get(`${base}/external_ids`, async (c) => {
  const { profileId, spaceId } = await resolveProfile(c);
  const limit = limitOf(c, 10, 100);
  const offset = decodeNext(c.req.query("next"), (v): v is number => typeof v === "number") ?? 0;
  const graph = c.env.IDENTITY_GRAPH.get(c.env.IDENTITY_GRAPH.idFromName(spaceId));
  const ids = await graph.identifiersOf(profileId);
  const page = ids.slice(offset, offset + limit);
  const data = page.map((id) => ({
    id: id.value,
    type: id.type,
    collection: id.collection,
    encoding:
      id.type === "email" || id.type === "phone" || id.type === "wifi_mac" ? "hmac-sha256" : "none",
    created_at: new Date(id.addedAt).toISOString(),
  }));
  const more = ids.length > offset + limit ? encodeNext(offset + limit) : undefined;
  return c.json({ data, cursor: cursor(c, limit, more) });
});

profileApi.get(`${base}/links`, async (c) => {
  const { collection, profileId, spaceId } = await resolveProfile(c);
  const graph = c.env.IDENTITY_GRAPH.get(c.env.IDENTITY_GRAPH.idFromName(spaceId));
  const linked = new Set<string>();
  for (const id of await profileStub(c.env, spaceId, profileId).links()) {
    const current = await graph.canonical(id);
    if (current) linked.add(current);
  }
  const data = [];
  for (const id of [...linked].sort().slice(0, 20)) {
    const externalIds = (await graph.identifiersOf(id)).map((x) => ({
      id: x.value,
      type: x.type,
      collection: x.collection,
      created_at: new Date(x.addedAt).toISOString(),
    }));
    data.push({
      to_collection: collection === "users" ? "accounts" : "users",
      external_ids: externalIds,
    });
  }
  return c.json({ data });
});

profileApi.get(`${base}/metadata`, async (c) => {
  const { profileId, spaceId } = await resolveProfile(c);
  const meta = await profileStub(c.env, spaceId, profileId).metadata();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return c.json({
    metadata: {
      segment_id: profileId,
      created_at: iso(meta.createdAt),
      updated_at: iso(meta.updatedAt),
      expires_at: null,
      first_message_id: meta.first?.messageId ?? null,
      first_source_id: meta.first?.sourceId ?? null,
      last_message_id: meta.last?.messageId ?? null,
      last_source_id: meta.last?.sourceId ?? null,
    },
  });
});

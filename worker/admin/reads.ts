// Admin reads: a source's stored events and its archive objects (R2, found through their D1
// index so that only completely written objects show), and its live debugger.
import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import {
  archivedEventPage,
  archivePrefix,
  ForeignCursorError,
  isStoredObject,
  listStoredObjects,
  type EventCursor,
} from "../archive/index.ts";
import { requireSource } from "./sources.ts";
import type { AdminEnv } from "./auth/principal.ts";

const MAX_PAGE = 500;

function pageLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new ApiError(400, "invalid_limit", `limit must be an integer from 1 to ${MAX_PAGE}`, {
      field: "limit",
    });
  }
  return n;
}

function timeParam(raw: string | undefined, field: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw new ApiError(400, "invalid_time", `${field} is not a date`, { field });
  return ms;
}

const invalidCursor = () =>
  new ApiError(400, "invalid_cursor", "cursor is not one this API returned", { field: "cursor" });

function decodeCursor(raw: string | undefined): EventCursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const [receivedAt, key, remaining] = JSON.parse(atob(raw)) as unknown[];
    if (
      typeof receivedAt === "number" &&
      typeof key === "string" &&
      (remaining === null || (Number.isInteger(remaining) && (remaining as number) >= 0))
    ) {
      return { receivedAt, key, remaining: remaining as number | null };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidCursor();
}

const encodeCursor = (c: EventCursor) => btoa(JSON.stringify([c.receivedAt, c.key, c.remaining]));

export const readsAdmin = new Hono<AdminEnv>();

readsAdmin.get("/sources/:sourceId/events", async (c) => {
  const source = await requireSource(c.env, c.req.param("sourceId"));
  const limit = pageLimit(c.req.query("limit"), 100);
  const cursor = decodeCursor(c.req.query("cursor"));
  const since = timeParam(c.req.query("since"), "since");
  const until = timeParam(c.req.query("until"), "until");
  const userId = c.req.query("userId");
  const anonymousId = c.req.query("anonymousId");
  const page = await archivedEventPage(c.env, source.id, {
    limit,
    ...(cursor ? { cursor } : {}),
    ...(userId === undefined ? {} : { userId }),
    ...(anonymousId === undefined ? {} : { anonymousId }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
  }).catch((error: unknown) => {
    if (error instanceof ForeignCursorError) throw invalidCursor();
    throw error;
  });
  return c.json({ events: page.events, next: page.next ? encodeCursor(page.next) : null });
});

readsAdmin.get("/sources/:sourceId/archive", async (c) => {
  const source = await requireSource(c.env, c.req.param("sourceId"));
  const date = c.req.query("date") ?? "";
  const hour = c.req.query("hour");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new ApiError(400, "invalid_date", "date must be YYYY-MM-DD", { field: "date" });
  }
  if (hour !== undefined && !/^\d{2}$/.test(hour)) {
    throw new ApiError(400, "invalid_hour", "hour must be HH", { field: "hour" });
  }
  const objects = await listStoredObjects(c.env, archivePrefix(source.id, date, hour), 10_000);
  return c.json({ objects });
});

readsAdmin.get("/archive/object", async (c) => {
  const key = c.req.query("key") ?? "";
  if (!key.startsWith("source=")) {
    throw new ApiError(400, "invalid_key", "key must be an archive object key", { field: "key" });
  }
  const object = (await isStoredObject(c.env, key)) ? await c.env.ARCHIVE.get(key) : null;
  if (!object) throw new ApiError(404, "object_not_found", "no archive object with that key");
  return new Response(object.body, { headers: { "content-type": "application/x-ndjson" } });
});

readsAdmin.get("/sources/:sourceId/debugger/recent", async (c) => {
  const source = await requireSource(c.env, c.req.param("sourceId"));
  const limit = pageLimit(c.req.query("limit"), 100);
  const debug = c.env.SOURCE_DEBUGGER.get(c.env.SOURCE_DEBUGGER.idFromName(source.id));
  const events = await debug.recent(limit);
  return new Response(`{"events":${events}}`, { headers: { "content-type": "application/json" } });
});

/** Live events: WebSocket when the request upgrades, Server-Sent Events otherwise. */
readsAdmin.get("/sources/:sourceId/debugger", async (c) => {
  const source = await requireSource(c.env, c.req.param("sourceId"));
  const debug = c.env.SOURCE_DEBUGGER.get(c.env.SOURCE_DEBUGGER.idFromName(source.id));
  return debug.fetch(c.req.raw);
});

// Admin reads: a source's stored events (D1), its archive objects (R2, listed through their D1
// index so that only completely written objects show), and its live debugger.
import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import { archivePrefix, isStoredObject, listStoredObjects } from "../archive/index.ts";
import type { NormalizedMessage } from "../message/index.ts";
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

interface Cursor {
  receivedAt: number;
  messageId: string;
}

function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const [receivedAt, messageId] = JSON.parse(atob(raw)) as [unknown, unknown];
    if (typeof receivedAt === "number" && typeof messageId === "string") {
      return { receivedAt, messageId };
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError(400, "invalid_cursor", "cursor is not one this API returned", {
    field: "cursor",
  });
}

export const readsAdmin = new Hono<AdminEnv>();

readsAdmin.get("/sources/:sourceId/events", async (c) => {
  const source = await requireSource(c.env, c.req.param("sourceId"));
  const limit = pageLimit(c.req.query("limit"), 100);
  const cursor = decodeCursor(c.req.query("cursor"));
  const since = timeParam(c.req.query("since"), "since");
  const until = timeParam(c.req.query("until"), "until");
  const where = ["source_id = ?"];
  const args: (string | number)[] = [source.id];
  const userId = c.req.query("userId");
  const anonymousId = c.req.query("anonymousId");
  const filters: [string, string | number | undefined][] = [
    ["user_id = ?", userId],
    ["anonymous_id = ?", anonymousId],
    ["received_at >= ?", since],
    ["received_at < ?", until],
  ];
  for (const [clause, value] of filters) {
    if (value === undefined) continue;
    where.push(clause);
    args.push(value);
  }
  if (cursor) {
    where.push("(received_at < ? OR (received_at = ? AND message_id < ?))");
    args.push(cursor.receivedAt, cursor.receivedAt, cursor.messageId);
  }
  const { results } = await c.env.DB.prepare(
    `SELECT message_id, received_at, body FROM events WHERE ${where.join(" AND ")}
     ORDER BY received_at DESC, message_id DESC LIMIT ?`,
  )
    .bind(...args, limit + 1)
    .all<{ message_id: string; received_at: number; body: string }>();
  const page = results.slice(0, limit);
  const last = page.at(-1);
  const next =
    results.length > limit && last
      ? btoa(JSON.stringify([last.received_at, last.message_id]))
      : null;
  return c.json({
    events: page.map((row) => JSON.parse(row.body) as NormalizedMessage),
    next,
  });
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

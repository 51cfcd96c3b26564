// Foyer's edge under wrangler's local runtime with one space and the venue agent's source, plus the
// direct D1 and R2 reads the agent end-to-end tests count with. The queue consumer stores events
// after the edge's 200, so readers poll until a condition holds or a deadline passes.
import { AdminApiClient } from "../../scripts/admin-api-client.ts";
import { startLocalEdge, type LocalEdge } from "../../scripts/local-edge.ts";
import { expect } from "vitest";

const POLL_MS = 500;

export interface VenueEdge {
  edge: LocalEdge;
  admin: AdminApiClient;
  sourceId: string;
  writeKey: string;
}

/** Starts the edge in `persistDir` and creates a space and the venue source (no rate limit in the way). */
export async function startVenueEdge(persistDir: string): Promise<VenueEdge> {
  const edge = await startLocalEdge({ port: 0, persistDir, logLevel: "error" });
  try {
    const admin = new AdminApiClient(edge.url, edge.adminToken);
    const space = await admin.createSpace("agent e2e");
    const { source, writeKey } = await admin.createSource(space.id, {
      name: "venue agent",
      rateLimit: { eventsPerSecond: 100_000, burst: 100_000 },
    });
    return { edge, admin, sourceId: source.id, writeKey };
  } catch (error) {
    await edge.stop();
    throw error;
  }
}

/** Starts the edge again on the same port, state directory and admin token (after `stop()`). */
export async function restartVenueEdge(stopped: VenueEdge): Promise<VenueEdge> {
  const edge = await startLocalEdge({
    port: Number(stopped.edge.url.port),
    persistDir: stopped.edge.persistDir,
    adminToken: stopped.edge.adminToken,
    logLevel: "error",
  });
  return { ...stopped, edge, admin: new AdminApiClient(edge.url, edge.adminToken) };
}

export interface StoredCounts {
  /** Events in the source's stored archive objects, read line by line. */
  rows: number;
  distinctMessageIds: number;
  /** Events the R2 archive index says it holds for the source (each archived line once). */
  archived: number;
}

/** Every line of the source's stored archive objects (found through their D1 index). */
async function storedLines(venue: VenueEdge): Promise<string[]> {
  const db = await venue.edge.d1("DB");
  const { results } = await db
    .prepare(
      "SELECT key FROM archive_objects WHERE source_id = ? AND state = 'stored' ORDER BY key",
    )
    .bind(venue.sourceId)
    .all<{ key: string }>();
  const bucket = await venue.edge.r2("ARCHIVE");
  const lines: string[] = [];
  for (const { key } of results) {
    const text = (await (await bucket.get(key))?.text()) ?? "";
    lines.push(...text.split("\n").filter((line) => line !== ""));
  }
  return lines;
}

/** Counts what the edge stored for `sourceId`: the archive's lines and what its index says. */
export async function storedCounts(venue: VenueEdge): Promise<StoredCounts> {
  const lines = await storedLines(venue);
  const db = await venue.edge.d1("DB");
  const { results } = await db
    .prepare(
      "SELECT COALESCE(SUM(event_count), 0) AS archived FROM archive_objects WHERE source_id = ?",
    )
    .bind(venue.sourceId)
    .all<{ archived: number }>();
  const row = results[0];
  const ids = new Set(lines.map((line) => (JSON.parse(line) as { messageId: string }).messageId));
  return {
    rows: lines.length,
    distinctMessageIds: ids.size,
    archived: Number(row?.archived ?? 0),
  };
}

export interface StoredSessionEvent {
  messageId: string;
  event: string;
  sessionId: string;
  anonymousId: string | null;
  body: string;
}

/** Every stored event of the source with its RADIUS session id (from the stored body). */
export async function storedSessionEvents(venue: VenueEdge): Promise<StoredSessionEvent[]> {
  return (await storedLines(venue)).map((body) => {
    const event = JSON.parse(body) as {
      messageId: string;
      event: string;
      anonymousId?: string;
      properties?: { sessionId?: string };
    };
    return {
      messageId: event.messageId,
      event: event.event,
      anonymousId: event.anonymousId ?? null,
      sessionId: event.properties?.sessionId as string,
      body,
    };
  });
}

/** The text of every R2 archive object of the source. */
export async function archiveTexts(venue: VenueEdge): Promise<string[]> {
  const bucket = await venue.edge.r2("ARCHIVE");
  const { objects } = await bucket.list({ prefix: `source=${venue.sourceId}/`, limit: 1000 });
  const texts: string[] = [];
  for (const object of objects) texts.push((await (await bucket.get(object.key))?.text()) ?? "");
  return texts;
}

/** Polls `storedCounts` until `done` holds or `timeoutMs` passes; returns the last counts. */
export async function waitForCounts(
  venue: VenueEdge,
  done: (counts: StoredCounts) => boolean,
  timeoutMs: number,
): Promise<StoredCounts> {
  const deadline = Date.now() + timeoutMs;
  let counts = await storedCounts(venue);
  while (!done(counts) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    counts = await storedCounts(venue);
  }
  return counts;
}

/** Waits until `events` rows and archive objects are stored, and checks each was stored once. */
export async function expectStoredOnce(
  venue: VenueEdge,
  events: number,
  timeoutMs: number,
): Promise<void> {
  const counts = await waitForCounts(
    venue,
    (c) => c.rows >= events && c.archived >= events,
    timeoutMs,
  );
  expect(counts).toEqual({ rows: events, distinctMessageIds: events, archived: events });
}

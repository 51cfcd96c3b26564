// The workers `npm run bench` measures, each started under wrangler's local runtime: the bare
// echo worker, Foyer without its Queue consumer (the ingestion tier alone, as on Cloudflare where
// the consumer runs in separate invocations), and Foyer with its full configuration. Generated
// configurations are written under .foyer/bench/ (gitignored).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { benchWranglerConfig, type BenchConfigOptions } from "../test/bench/bench-config.ts";
import { AdminApiClient } from "./admin-api-client.ts";
import { REPO_ROOT, startLocalEdge, type LocalEdge } from "./local-edge.ts";

export const BENCH_CONFIG_DIR = path.join(REPO_ROOT, ".foyer", "bench");

/** A provisioned source of a running Foyer: its ids and the Tracking API auth header. */
export interface BenchSource {
  spaceId: string;
  sourceId: string;
  headers: Record<string, string>;
}

/** Writes a variant of wrangler.toml under .foyer/bench/ and returns its path. */
async function writeConfig(
  file: string,
  options: Omit<BenchConfigOptions, "repoRootFromConfig">,
): Promise<string> {
  const source = await readFile(path.join(REPO_ROOT, "wrangler.toml"), "utf8");
  const repoRootFromConfig = path.relative(BENCH_CONFIG_DIR, REPO_ROOT).split(path.sep).join("/");
  await mkdir(BENCH_CONFIG_DIR, { recursive: true });
  const target = path.join(BENCH_CONFIG_DIR, file);
  await writeFile(target, benchWranglerConfig(source, { ...options, repoRootFromConfig }));
  return target;
}

/** The echo baseline (test/bench/echo). */
export function startEcho(persistDir: string): Promise<LocalEdge> {
  return startLocalEdge({
    configPath: path.join(REPO_ROOT, "test", "bench", "echo", "wrangler.toml"),
    persistDir,
    migrateD1: [],
  });
}

/**
 * Foyer's edge from a copy of wrangler.toml: with its Queue consumer (`queueConsumer: true`, the
 * full configuration) or without it (the ingestion tier alone).
 */
export async function startFoyer(
  persistDir: string,
  options: { queueConsumer: boolean; meter?: boolean; inspectorPort?: number },
): Promise<LocalEdge> {
  const file = options.queueConsumer ? "wrangler-full.toml" : "wrangler-ingest-only.toml";
  const configPath = await writeConfig(file, { queueConsumer: options.queueConsumer });
  // "none": under load the local runtime logs one line per cancelled tail session, which would
  // bury the tables; the figures below check every outcome themselves.
  // The activation section's webhooks are receivers on 127.0.0.1.
  return startLocalEdge({
    configPath,
    persistDir,
    logLevel: "none",
    privateDestinations: "loopback",
    meter: options.meter ?? false,
    ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
  });
}

/** Creates a space and a source whose rate limit never answers 429 during a run. */
export async function provisionSource(edge: LocalEdge, name: string): Promise<BenchSource> {
  const admin = new AdminApiClient(edge.url, edge.adminToken);
  const space = await admin.createSpace(name);
  const { source, writeKey } = await admin.createSource(space.id, {
    name,
    rateLimit: { eventsPerSecond: 1_000_000, burst: 1_000_000 },
  });
  const basic = Buffer.from(`${writeKey}:`).toString("base64");
  return {
    spaceId: space.id,
    sourceId: source.id,
    headers: { authorization: `Basic ${basic}` },
  };
}

/** A Profile API access token of `spaceId` (`POST /admin/v1/spaces/:spaceId/access-tokens`). */
export async function profileApiToken(edge: LocalEdge, spaceId: string): Promise<string> {
  const response = await fetch(
    new URL(`/admin/v1/spaces/${encodeURIComponent(spaceId)}/access-tokens`, edge.url),
    {
      method: "POST",
      headers: { authorization: `Bearer ${edge.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "benchmark" }),
    },
  );
  const text = await response.text();
  if (response.status !== 201) throw new Error(`access token: ${response.status} ${text}`);
  return (JSON.parse(text) as { accessToken: { token: string } }).accessToken.token;
}

/**
 * How many events of `sourceId` are stored: in archive objects whose D1 index row says `stored`
 * (the consumer's storage step is done).
 */
export async function storedEventCount(edge: LocalEdge, sourceId: string): Promise<number> {
  const db = await edge.d1("DB");
  const { results } = await db
    .prepare(
      "SELECT COALESCE(SUM(event_count), 0) AS n FROM archive_objects WHERE source_id = ? AND state = 'stored'",
    )
    .bind(sourceId)
    .all<{ n: number }>();
  return Number(results[0]?.n ?? 0);
}

/**
 * Events placed on profiles in `spaceId`: the sum of `profile.events.length` over the admin
 * export (`GET /admin/v1/spaces/:spaceId/profiles/export`), and how many profiles hold them.
 */
export async function placedEventCount(
  edge: LocalEdge,
  spaceId: string,
): Promise<{ events: number; profiles: number }> {
  const response = await fetch(
    new URL(`/admin/v1/spaces/${encodeURIComponent(spaceId)}/profiles/export`, edge.directUrl),
    { headers: { authorization: `Bearer ${edge.adminToken}` } },
  );
  const text = await response.text();
  if (!response.ok) throw new Error(`profiles export: ${response.status} ${text.slice(0, 200)}`);
  const { profiles } = JSON.parse(text) as {
    profiles: Record<string, { profile: { events: string[] } }>;
  };
  const all = Object.values(profiles);
  return {
    events: all.reduce((sum, p) => sum + p.profile.events.length, 0),
    profiles: all.filter((p) => p.profile.events.length > 0).length,
  };
}

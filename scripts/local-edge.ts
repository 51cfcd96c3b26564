// Runs a worker (Foyer's edge, or the benchmark's echo worker) in wrangler's local runtime from
// Node, through wrangler's programmatic dev API (`unstable_startWorker`, the engine behind
// `wrangler dev`): workerd with D1, R2, Queues and Durable Objects simulated and persisted on disk.
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { unstable_startWorker } from "wrangler";
import { applyLocalD1Migrations } from "./d1-migrations.ts";
import { pidListeningOn } from "./workerd-process.ts";

/** The repository root (this file lives in `scripts/`). */
export const REPO_ROOT = path.resolve(import.meta.dirname, "..");

export type WranglerLogLevel = "none" | "error" | "warn" | "info" | "log" | "debug";

export interface LocalEdgeOptions {
  /** wrangler config; default: the repository's `wrangler.toml` (Foyer's edge). */
  configPath?: string;
  /** Port of the public (proxy) URL; 0 (default) picks a free ephemeral port. */
  port?: number;
  /** Where D1/R2/Queue/DO state is persisted; default `.foyer/state`. Tests pass a temp dir. */
  persistDir?: string;
  /** wrangler's log level; default "error" (request logging costs throughput). */
  logLevel?: WranglerLogLevel;
  /** Admin API bearer token (secret `ADMIN_TOKEN`); default: 32 random bytes, hex. */
  adminToken?: string;
  /** D1 bindings whose `drizzle/` migrations are applied before start; default ["DB"]. */
  migrateD1?: string[];
  /**
   * `loopback` lets destinations reach receivers on this machine (ALLOW_PRIVATE_DESTINATIONS,
   * worker/destinations/destination-address.ts): the local stack's and the bench's default,
   * never a deploy's. `strict` (tests that check the refusal) keeps wrangler.toml's setting.
   */
  privateDestinations?: "loopback" | "strict";
  /** Count Durable Object requests and Queue messages (FOYER_METER, worker/platform/meter.ts). */
  meter?: boolean;
  /** Open workerd's inspector on this port (scripts/profile-pipeline.ts takes CPU profiles). */
  inspectorPort?: number;
  /** Told each step as it begins (`npm start` prints them, so a cold start is never silent). */
  onProgress?: (step: string) => void;
}

/** Minimal read surface of a D1 binding, as tests use it (Miniflare's proxy to the real one). */
export interface D1Reader {
  prepare(sql: string): {
    bind(...values: unknown[]): { all<T = Record<string, unknown>>(): Promise<{ results: T[] }> };
    all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  };
}

/** Minimal read surface of an R2 binding. */
export interface R2Reader {
  list(options?: { prefix?: string; limit?: number }): Promise<{
    objects: { key: string; size: number }[];
    truncated: boolean;
  }>;
  get(key: string): Promise<{ text(): Promise<string> } | null>;
}

export interface LocalEdge {
  /** wrangler's dev server (what `wrangler dev` prints and browsers use). */
  url: URL;
  /** The worker's own socket inside workerd, without wrangler's dev proxy in front. */
  directUrl: URL;
  /** workerd's inspector (DevTools protocol), when `inspectorPort` was given. */
  inspectorUrl: URL | undefined;
  adminToken: string;
  persistDir: string;
  /** The workerd process running the worker (Linux), for CPU accounting; undefined if unknown. */
  workerdPid: number | undefined;
  /** Direct read access to a D1 binding of the running worker. */
  d1(binding: string): Promise<D1Reader>;
  /** Direct read access to an R2 binding of the running worker. */
  r2(binding: string): Promise<R2Reader>;
  /** Stops workerd and wrangler's dev proxy; state stays on disk. */
  stop(): Promise<void>;
}

/** Starts a worker under wrangler's local runtime; resolves once it answers requests. */
export async function startLocalEdge(options: LocalEdgeOptions = {}): Promise<LocalEdge> {
  const configPath = path.resolve(options.configPath ?? path.join(REPO_ROOT, "wrangler.toml"));
  const persistDir = path.resolve(options.persistDir ?? path.join(REPO_ROOT, ".foyer", "state"));
  const adminToken = options.adminToken ?? randomBytes(32).toString("hex");
  // No internet here, and wrangler otherwise tries to reach Cloudflare (docs/architecture.md).
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  // wrangler reads its log level from WRANGLER_LOG whenever it logs (the API has no option).
  process.env.WRANGLER_LOG = options.logLevel ?? "error";
  const progress = options.onProgress ?? (() => undefined);
  await mkdir(persistDir, { recursive: true });
  for (const binding of options.migrateD1 ?? ["DB"]) {
    progress(`applying D1 migrations (${binding})…`);
    await applyLocalD1Migrations(configPath, binding, persistDir);
  }

  progress("starting the edge (wrangler local runtime: bundling the worker, starting workerd)…");

  const worker = await unstable_startWorker({
    config: configPath,
    bindings: {
      ADMIN_TOKEN: { type: "secret_text", value: adminToken },
      ...(options.privateDestinations === "loopback"
        ? { ALLOW_PRIVATE_DESTINATIONS: { type: "plain_text" as const, value: "loopback" } }
        : {}),
      ...(options.meter ? { FOYER_METER: { type: "plain_text" as const, value: "1" } } : {}),
    },
    dev: {
      server: { hostname: "127.0.0.1", port: options.port ?? 0 },
      inspector:
        options.inspectorPort === undefined
          ? false
          : { hostname: "127.0.0.1", port: options.inspectorPort },
      persist: persistDir,
      watch: false,
      liveReload: false,
      logLevel: options.logLevel ?? "error",
    },
  });
  try {
    progress("waiting for the worker to load in workerd…");
    await workerLoaded(worker.raw);
    await worker.ready;
    const url = await worker.url;
    const miniflare = worker.raw.runtimes[0]?.mf;
    if (miniflare === undefined) throw new Error("wrangler started no local runtime");
    const directUrl = await miniflare.ready;
    return {
      url,
      directUrl,
      inspectorUrl: options.inspectorPort === undefined ? undefined : await worker.inspectorUrl,
      adminToken,
      persistDir,
      workerdPid: await pidListeningOn(Number(directUrl.port)),
      d1: (binding) => miniflare.getD1Database(binding),
      r2: async (binding) => (await miniflare.getR2Bucket(binding)) as unknown as R2Reader,
      stop: () => worker.dispose(),
    };
  } catch (error) {
    await worker.dispose();
    throw error;
  }
}

type DevEnv = Awaited<ReturnType<typeof unstable_startWorker>>["raw"];

/**
 * Resolves when the worker's code is running in workerd. `worker.ready` alone only says wrangler's
 * dev proxy is up: a build or load failure (e.g. a missing Durable Object export) would leave the
 * proxy answering with an error page, so we wait for the runtime's own events instead.
 */
function workerLoaded(devEnv: DevEnv, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`worker not loaded after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onLoaded = (): void => finish(undefined);
    const onFailed = (event: { reason?: string; cause?: unknown; message?: string }): void => {
      const cause = event.cause instanceof Error ? `: ${event.cause.message}` : "";
      finish(
        new Error(`worker failed to start (${event.reason ?? event.message ?? "error"}${cause})`),
      );
    };
    function finish(error: Error | undefined): void {
      clearTimeout(timer);
      devEnv.off("reloadComplete", onLoaded);
      devEnv.off("buildFailed", onFailed);
      devEnv.off("error", onFailed);
      if (error) reject(error);
      else resolve();
    }
    devEnv.on("reloadComplete", onLoaded);
    devEnv.on("buildFailed", onFailed);
    devEnv.on("error", onFailed);
  });
}

// Applies the D1 migrations in `drizzle/` to the local (on-disk) database of a worker before it
// starts. We call wrangler's own CLI (`wrangler d1 migrations apply --local --persist-to`) rather
// than re-implementing it, so the `d1_migrations` bookkeeping table is exactly the one wrangler
// (and `wrangler deploy` users) expect: https://developers.cloudflare.com/d1/reference/migrations/
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** Absolute path of the installed wrangler CLI entry (run with this process's Node 22). */
export function wranglerBin(): string {
  return path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
}

/** Environment every local wrangler run gets: no network calls to Cloudflare, no telemetry. */
export function offlineWranglerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    ...extra,
  };
}

/**
 * Applies every not-yet-applied migration of the D1 binding `binding` declared in `configPath`
 * to the local state under `persistDir`. Rejects with wrangler's output when it fails.
 */
export async function applyLocalD1Migrations(
  configPath: string,
  binding: string,
  persistDir: string,
): Promise<string> {
  const args = [
    wranglerBin(),
    "d1",
    "migrations",
    "apply",
    binding,
    "--local",
    "--config",
    configPath,
    "--persist-to",
    persistDir,
  ];
  // CI=true and no stdin: wrangler treats the run as non-interactive and does not ask to confirm.
  const child = spawn(process.execPath, args, {
    cwd: path.dirname(configPath),
    env: offlineWranglerEnv({ CI: "true" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) {
    throw new Error(`wrangler d1 migrations apply ${binding} failed (exit ${code}):\n${output}`);
  }
  return output;
}

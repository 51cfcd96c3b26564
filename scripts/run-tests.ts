// `npm test`: both vitest projects (worker, node) with the offline wrangler environment, after
// telling which suites will skip for a missing Debian binary. Exits with vitest's exit code.
import { spawn } from "node:child_process";
import { offlineWranglerEnv } from "./d1-migrations.ts";
import { missingSuiteBinaries } from "./debian-binaries.ts";
import { REPO_ROOT } from "./local-edge.ts";

const missing = missingSuiteBinaries();
for (const entry of missing) {
  console.warn(
    `! ${entry.binary} not found: ${entry.suites} will be SKIPPED ` +
      `(install with: apt-get install ${entry.debianPackage})`,
  );
}
if (missing.length === 0)
  console.log("All test binaries present (radclient, mosquitto, chromium, systemd-analyze).");

const vitest = spawn(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", ...process.argv.slice(2)],
  {
    cwd: REPO_ROOT,
    env: offlineWranglerEnv(),
    stdio: "inherit",
  },
);
const forward = (signal: NodeJS.Signals): void => void vitest.kill(signal);
process.on("SIGINT", forward);
process.on("SIGTERM", forward);
// Killed by a signal: no exit code, which must still fail the run.
vitest.once("exit", (code) => process.exit(code ?? 1));

// The Debian packages some test suites drive for real (docs/architecture.md: real peers, not mocks).
// The suites skip themselves when a binary is missing; `npm test` says so up front, once.
import { spawnSync } from "node:child_process";

export interface SuiteBinary {
  binary: string;
  debianPackage: string;
  suites: string;
}

export const SUITE_BINARIES: readonly SuiteBinary[] = [
  {
    binary: "radclient",
    debianPackage: "freeradius-utils",
    suites: "agent RADIUS (test/agent/radius)",
  },
  {
    binary: "mosquitto",
    debianPackage: "mosquitto",
    suites: "agent MQTT interop (test/agent/mqtt)",
  },
  {
    binary: "chromium",
    debianPackage: "chromium",
    suites: "portal browser tests (test/agent/portal)",
  },
  {
    binary: "systemd-analyze",
    debianPackage: "systemd",
    suites: "the systemd unit check (test/agent/cli/deploy-files.test.ts)",
  },
];

/** Whether `binary` is on PATH (POSIX `command -v`). */
export function hasBinary(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v "$1"`, "sh", binary], { stdio: "ignore" }).status === 0;
}

/** The suite binaries not installed on this machine. */
export function missingSuiteBinaries(): SuiteBinary[] {
  return SUITE_BINARIES.filter((entry) => !hasBinary(entry.binary));
}

// The agent's version: injected by `npm run build` (scripts/build-agent.ts defines
// FOYER_AGENT_VERSION from package.json), read from package.json when run from source.
import { readFileSync } from "node:fs";

declare const FOYER_AGENT_VERSION: string | undefined;

/** The version `foyer-agent --version` prints. */
export function agentVersion(): string {
  if (typeof FOYER_AGENT_VERSION === "string") return FOYER_AGENT_VERSION;
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

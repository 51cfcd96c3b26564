// `foyer-agent start|doctor|status --config FILE`, `check-config FILE`, `--help`, `--version`.
// Exit codes: 0 ok, 1 a check failed (doctor, status, check-config), 2 usage or config error.
import { readStatus } from "./commands/status.ts";
import { runDoctor } from "./commands/doctor.ts";
import { ConfigError } from "./config/errors.ts";
import { loadConfig } from "./config/load.ts";
import type { AgentConfig } from "./config/schema.ts";
import { createJsonLog } from "./log/json-log.ts";
import { startAgent } from "./runtime/agent.ts";
import { agentVersion } from "./version.ts";

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT). */
  stopSignal: () => Promise<string>;
}

const USAGE = `usage: foyer-agent <command> [options]

commands:
  start --config FILE         run the agent (RADIUS, controller inputs, portal, uplink)
  doctor --config FILE        check the config's peers (edge, controllers) and exit
  status --config FILE        print the running agent's status (or the outbox's)
  check-config FILE           validate FILE; print each error with its path, exit 1 if any

options:
  -h, --help                  print this help
  -v, --version               print the version
`;

const CONFIG_COMMANDS = ["start", "doctor", "status", "check-config"];

export type CliArgs =
  { command: "help" | "version" } | { command: string; config: string } | { error: string };

/** Parses `COMMAND --config FILE` (also `--config=FILE`; `check-config` also takes FILE bare). */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") return { command: "help" };
  if (command === "--version" || command === "-v") return { command: "version" };
  if (!command || !CONFIG_COMMANDS.includes(command))
    return { error: `unknown command ${command ?? "(none)"}` };
  let config: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--config") config = rest[++i];
    else if (arg.startsWith("--config=")) config = arg.slice("--config=".length);
    else if (command === "check-config" && !arg.startsWith("-") && config === undefined)
      config = arg;
    else return { error: `unknown argument ${arg}` };
  }
  if (!config)
    return { error: command === "check-config" ? "FILE is required" : "--config FILE is required" };
  return { command, config };
}

/** Runs one command; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if ("error" in args) {
    io.err(`${args.error}\n${USAGE}`);
    return 2;
  }
  if (!("config" in args)) {
    io.out(args.command === "help" ? USAGE : `${agentVersion()}\n`);
    return 0;
  }
  let config: AgentConfig;
  try {
    config = loadConfig(args.config, io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${error.message}\n`);
    // check-config exists to find these errors: they are its "check failed" (1), not a usage error.
    return args.command === "check-config" ? 1 : 2;
  }
  if (args.command === "check-config") {
    io.out(`ok ${args.config}\n`);
    return 0;
  }
  if (args.command === "doctor") {
    const checks = await runDoctor(config);
    for (const c of checks) io.out(`${c.ok ? "ok  " : "FAIL"} ${c.check}: ${c.detail}\n`);
    return checks.every((c) => c.ok) ? 0 : 1;
  }
  if (args.command === "status") {
    const { source, status } = await readStatus(config);
    io.out(`${JSON.stringify({ source, ...(status as object) }, null, 2)}\n`);
    return source === "none" ? 1 : 0;
  }
  const log = createJsonLog(config.log.level, io.out);
  const agent = await startAgent(config, log);
  log.info("agent config", { file: args.config, venue: config.venue.id });
  const signal = await io.stopSignal();
  log.info("agent stopping", { signal });
  await agent.stop();
  log.info("agent stopped");
  return 0;
}

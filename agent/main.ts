// Entry point: `node agent/main.ts start --config FILE` (Node 22 strips the types).
import { runCli } from "./cli.ts";

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stopSignal: () =>
    new Promise((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    }),
});
process.exitCode = code;

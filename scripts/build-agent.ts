// `npm run build`: bundles the venue agent (and the captive portal it hosts) into one ES module,
// dist/foyer-agent.mjs, that runs with plain Node 22 and no node_modules. `node:sqlite` (the outbox)
// is built into Node, so nothing native is left out. `--outfile FILE` writes elsewhere (tests).
import { chmodSync, readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.join(import.meta.dirname, "..");

/** Bundles agent/main.ts into `outfile`; resolves with the version written into it. */
export async function buildAgent(outfile: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  await build({
    entryPoints: [path.join(ROOT, "agent/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    // CommonJS dependencies (mqtt, ws) call `require` for Node built-ins, which an ES module
    // bundle lacks: give them one. The shebang makes the file the `foyer-agent` bin.
    banner: {
      js: [
        "#!/usr/bin/env node",
        'import { createRequire as __foyerCreateRequire } from "node:module";',
        "const require = __foyerCreateRequire(import.meta.url);",
      ].join("\n"),
    },
    define: { FOYER_AGENT_VERSION: JSON.stringify(pkg.version) },
    legalComments: "none",
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
  return pkg.version;
}

function outfileArg(argv: readonly string[]): string {
  const i = argv.indexOf("--outfile");
  const given = i >= 0 ? argv[i + 1] : undefined;
  return path.resolve(given ?? path.join(ROOT, "dist/foyer-agent.mjs"));
}

if (import.meta.main) {
  const outfile = outfileArg(process.argv.slice(2));
  const version = await buildAgent(outfile);
  process.stdout.write(`built ${path.relative(process.cwd(), outfile)} (foyer-agent ${version})\n`);
}

// agent/deploy/: the systemd unit passes `systemd-analyze verify` and keeps its hardening; the
// Dockerfile (not built here: no Docker) runs the bundle alone, as a non-root user, with the RADIUS
// UDP ports and the health check the agent really serves.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const DEPLOY = path.join(import.meta.dirname, "../../../agent/deploy");
const unitFile = path.join(DEPLOY, "foyer-agent.service");
const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

/** `Key=value` lines of a systemd unit or the instructions of a Dockerfile stage, comments dropped. */
function directives(text: string, separator: RegExp): [string, string][] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("["))
    .map((l) => {
      const at = l.search(separator);
      return [l.slice(0, at), l.slice(at + 1).trim()];
    });
}

/** systemd-analyze's lines split into those about foyer-agent.service and the rest. */
function verifyLines(stderr: string): { own: string[]; others: string[] } {
  const lines = stderr.split("\n").filter((l) => l.trim() !== "");
  const ours = (l: string) => l.includes("foyer-agent.service") || l.includes(unitFile);
  return { own: lines.filter(ours), others: lines.filter((l) => !ours(l)) };
}

describe("agent/deploy/foyer-agent.service", () => {
  it.skipIf(!hasSystemdAnalyze)("passes systemd-analyze verify with no warning", () => {
    const r = spawnSync("systemd-analyze", ["verify", unitFile], { encoding: "utf8" });
    // verify also loads the machine's other units and reports their warnings (Debian's
    // freeradius.service: "Unit uses MemoryLimit="): only lines about our unit are judged.
    const { own, others } = verifyLines(r.stderr);
    expect(own).toEqual([]);
    if (r.status !== 0) expect(others, "non-zero exit with no other unit to blame").not.toEqual([]);
  });

  it("judges only its own unit's lines of systemd-analyze's output", () => {
    const stderr =
      "/lib/systemd/system/freeradius.service:23: Unit uses MemoryLimit=; please use MemoryMax=.\n" +
      `${unitFile}:9: Unknown key name 'Bogus' in section 'Service', ignoring.\n`;
    expect(verifyLines(stderr)).toEqual({
      own: [`${unitFile}:9: Unknown key name 'Bogus' in section 'Service', ignoring.`],
      others: [
        "/lib/systemd/system/freeradius.service:23: Unit uses MemoryLimit=; please use MemoryMax=.",
      ],
    });
  });

  it("runs as a dedicated user with a state directory, strict protection, restart on failure", () => {
    const unit = new Map(directives(readFileSync(unitFile, "utf8"), /=/));
    expect(unit.get("User")).toBe("foyer");
    expect(unit.get("StateDirectory")).toBe("foyer");
    expect(unit.get("ProtectSystem")).toBe("strict");
    expect(unit.get("NoNewPrivileges")).toBe("yes");
    expect(unit.get("Restart")).toBe("on-failure");
    // Ports 1812/1813/8788 are unprivileged: no capability is granted.
    expect(unit.get("AmbientCapabilities")).toBe("");
    expect(unit.get("ExecStart")).toContain("foyer-agent.mjs start --config /etc/foyer/agent.yaml");
  });
});

describe("agent/deploy/Dockerfile", () => {
  const text = readFileSync(path.join(DEPLOY, "Dockerfile"), "utf8");
  const stages = text.split(/^FROM /m).slice(1);
  const final = directives(`FROM ${stages.at(-1) ?? ""}`, /\s/);

  it("the runtime stage is Node 22 slim with only the bundle copied in, non-root", () => {
    expect(final[0]).toEqual(["FROM", "node:22-bookworm-slim"]);
    const copies = final.filter(([op]) => op === "COPY").map(([, arg]) => arg);
    expect(copies).toEqual([
      "--from=build /src/dist/foyer-agent.mjs /usr/local/lib/foyer/foyer-agent.mjs",
    ]);
    expect(final.find(([op]) => op === "USER")?.[1]).toBe("foyer");
  });

  it("exposes RADIUS over UDP and the HTTP port, health-checked on /healthz", () => {
    expect(final.find(([op]) => op === "EXPOSE")?.[1]).toBe("1812/udp 1813/udp 8788/tcp");
    expect(final.find(([op]) => op === "HEALTHCHECK")?.[1]).toContain(
      "http://127.0.0.1:8788/healthz",
    );
    expect(final.find(([op]) => op === "VOLUME")?.[1]).toBe('["/var/lib/foyer"]');
  });
});

// FreeRADIUS (Debian `freeradius`) as the benchmark's reference: Debian's default configuration
// copied from /etc/freeradius/3.0, changed only where a benchmark must: it listens on 127.0.0.1 at
// free ports instead of *:1812/1813, knows one client (127.0.0.1 with the bench secret), writes its
// logs and accounting detail files under our directory, and keeps the invoking user. Accounting
// then runs the default `accounting {}` section (detail file, unix, exec, attr_filter).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

export const DEBIAN_RADDB = "/etc/freeradius/3.0";
const READY_TIMEOUT_MS = 30_000;

/** Whether the `freeradius` daemon and Debian's default config are installed. */
export function freeradiusMissing(): string | null {
  if (spawnSync("freeradius", ["-v"], { stdio: "ignore" }).status !== 0)
    return "freeradius not installed (Debian package freeradius: apt-get install -y freeradius)";
  if (spawnSync("test", ["-d", DEBIAN_RADDB]).status !== 0)
    return `${DEBIAN_RADDB} missing (Debian package freeradius)`;
  return null;
}

/**
 * Removes every top-level `listen { … }` block from a FreeRADIUS config file (comments ignored
 * when matching braces). Listen sections are the only part we replace.
 */
export function withoutListenSections(text: string): string {
  const lines = text.split("\n");
  const kept: string[] = [];
  let depth = 0;
  for (const line of lines) {
    const code = line.replace(/#.*$/, "");
    if (depth === 0 && /^\s*listen\s*\{/.test(code)) {
      depth = countBraces(code);
      continue;
    }
    if (depth > 0) {
      depth += countBraces(code);
      continue;
    }
    kept.push(line);
  }
  return kept.join("\n");
}

function countBraces(code: string): number {
  return (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0);
}

/** The listen sections we put in the default server: loopback only, the given ports. */
export function loopbackListen(ports: { auth: number; acct: number }): string {
  return [
    `listen {\n\ttype = auth\n\tipaddr = 127.0.0.1\n\tport = ${ports.auth}\n}`,
    `listen {\n\ttype = acct\n\tipaddr = 127.0.0.1\n\tport = ${ports.acct}\n}`,
  ].join("\n");
}

/** Writes the config tree under `root/raddb`; returns the raddb path. */
export function writeFreeradiusConfig(
  root: string,
  ports: { auth: number; acct: number },
  secret: string,
): string {
  const raddb = path.join(root, "raddb");
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, "log"), { recursive: true });
  mkdirSync(path.join(root, "run"), { recursive: true });
  cpSync(DEBIAN_RADDB, raddb, { recursive: true, dereference: true });
  const edit = (file: string, change: (text: string) => string) => {
    const full = path.join(raddb, file);
    writeFileSync(full, change(readFileSync(full, "utf8")));
  };
  edit("radiusd.conf", (text) =>
    text
      .replace(/^logdir = .*$/m, `logdir = ${path.join(root, "log")}`)
      .replace(/^raddbdir = .*$/m, `raddbdir = ${raddb}`)
      .replace(/^run_dir = .*$/m, `run_dir = ${path.join(root, "run")}`)
      // Keep the invoking user: the bench must not need a `freerad` account or root.
      .replace(/^(\s*)(user|group) = freerad$/gm, "$1# $2 = freerad"),
  );
  edit("sites-enabled/default", (text) =>
    withoutListenSections(text).replace(
      /^server default \{$/m,
      `server default {\n${loopbackListen(ports)}`,
    ),
  );
  // The inner-tunnel server (EAP) keeps its policy but not its fixed 127.0.0.1:18120 socket.
  edit("sites-enabled/inner-tunnel", withoutListenSections);
  writeFileSync(
    path.join(raddb, "clients.conf"),
    `client bench {\n\tipaddr = 127.0.0.1\n\tsecret = ${secret}\n}\n`,
  );
  return raddb;
}

/** Two free UDP ports on 127.0.0.1 (FreeRADIUS reads `port = 0` as "the services default"). */
export async function freeUdpPorts(): Promise<{ auth: number; acct: number }> {
  const take = () =>
    new Promise<number>((resolve, reject) => {
      const socket = createSocket("udp4");
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
    });
  const auth = await take();
  let acct = await take();
  while (acct === auth) acct = await take();
  return { auth, acct };
}

export interface RunningFreeradius {
  ports: { auth: number; acct: number };
  stop(): Promise<void>;
}

/** Starts `freeradius -f` (foreground, not debug) on the generated config; resolves when ready. */
export async function startFreeradius(root: string, secret: string): Promise<RunningFreeradius> {
  const ports = await freeUdpPorts();
  const raddb = writeFreeradiusConfig(root, ports, secret);
  const child = spawn("freeradius", ["-f", "-d", raddb, "-l", "stdout"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail("not ready"), READY_TIMEOUT_MS);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`freeradius ${why}:\n${lines.slice(-20).join("\n")}`));
    }
    const onExit = (code: number | null): void => fail(`exited with ${code}`);
    child.once("exit", onExit);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        if (lines.push(line) > 200) lines.shift();
        if (line.includes("Ready to process requests")) {
          clearTimeout(timer);
          child.off("exit", onExit);
          resolve();
        }
      });
    }
  });
  return { ports, stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// `npm start` as a new user runs it (scripts/start.mjs, a child process with its own temp state):
// progress lines from the first step, before the edge is up, then the block with URL and write key.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const LAST_LINE = "Ctrl-C stops everything.";

let dir: string;
let child: ChildProcess;
let exited: Promise<number | null>;
const lines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "foyer-start-"));
  child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts", "start.mjs")], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      FOYER_PORT: "0",
      FOYER_STATE_DIR: path.join(dir, "state"),
      FOYER_DEMO_FILE: path.join(dir, "demo.json"),
      FOYER_AGENT: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout! });
    reader.on("line", (line) => {
      lines.push(line);
      if (line === LAST_LINE) resolve();
    });
    child.once("exit", (code) =>
      reject(
        new Error(`npm start exited (${code}) early: ${lines.join("\n")}\n${stderr.join("")}`),
      ),
    );
  });
}, 180_000);

afterAll(async () => {
  if (child?.exitCode === null) {
    child.kill("SIGINT");
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Index of the first line containing `text`; fails the test when there is none. */
function lineIndex(text: string): number {
  const index = lines.findIndex((line) => line.includes(text));
  expect(index, `no line containing ${JSON.stringify(text)} in:\n${lines.join("\n")}`).not.toBe(-1);
  return index;
}

describe("npm start", () => {
  it("prints each step as it begins, before the edge is up, in order", () => {
    expect(lines[0]).toMatch(/^foyer: starting Foyer on this machine \(state in .+\)…$/);
    const steps = [
      "foyer: starting Foyer on this machine",
      "foyer: applying D1 migrations (DB)…",
      "foyer: starting the edge (wrangler local runtime",
      "foyer: waiting for the worker to load in workerd…",
      "foyer: edge is up at http://127.0.0.1:",
      "foyer: creating demo space…",
      "  edge URL      http://127.0.0.1:",
      "  write key     ",
      LAST_LINE,
    ].map(lineIndex);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it("ends with the URL and a write key that the edge accepts", async () => {
    const url = /^ {2}edge URL {6}(\S+)$/.exec(lines[lineIndex("  edge URL ")]!)?.[1];
    const writeKey = /^ {2}write key {5}(\S+)/.exec(lines[lineIndex("  write key ")]!)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(writeKey).toMatch(/\S{16,}/);
    const track = (key: string) =>
      fetch(new URL("/v1/track", url), {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ userId: "start-test", event: "Start Test" }),
      });
    expect((await track(writeKey!)).status).toBe(200);
    expect((await track("not-the-printed-key")).status).toBe(401);
  });

  it("stops cleanly on Ctrl-C", async () => {
    child.kill("SIGINT");
    expect(await exited).not.toBeNull();
    expect(lines.some((line) => line.includes("SIGINT: stopping the agent and the edge…"))).toBe(
      true,
    );
  });
});

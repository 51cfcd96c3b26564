// `npm run profile`: where workerd's CPU goes on the data path. Starts Foyer with its inspector
// open, configures the pipeline bench's space (scripts/bench-pipeline.ts), takes a V8 CPU profile
// (DevTools protocol, Profiler domain) while the workload goes through /v1/batch to both
// destinations, and prints the functions with the most self time and the source files they are in.
// `FOYER_PROFILE_OUT=file.cpuprofile` also writes the profile for Chrome DevTools.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sendAll } from "../test/bench/batch-sender.ts";
import { batchRequests } from "../test/bench/identity-workloads.ts";
import { startVendorReceiver } from "../test/receiver/vendor-receiver.ts";
import { sleep } from "./bench-activation-io.ts";
import { arrivalCounter, configure, workload } from "./bench-pipeline.ts";
import { startFoyer } from "./bench-targets.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const INSPECTOR_PORT = Number(process.env.FOYER_PROFILE_INSPECTOR_PORT ?? "9239");

/** One DevTools protocol session over the inspector's WebSocket. */
async function devtools(inspector: URL) {
  const targets = (await (await fetch(new URL("/json", `http://${inspector.host}`))).json()) as {
    webSocketDebuggerUrl: string;
    title?: string;
  }[];
  const target = targets.find((t) => t.title?.includes("foyer")) ?? targets[0];
  if (!target) throw new Error("the inspector lists no target");
  // wrangler's inspector proxy wants a local Origin (undici's WebSocket takes headers here).
  const socket = new WebSocket(target.webSocketDebuggerUrl, {
    headers: { origin: "http://localhost" },
  } as unknown as string[]);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let next = 1;
  const pending = new Map<number, (value: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (data.id !== undefined) pending.get(data.id)?.(data.result);
  });
  return {
    call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = next++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve as (value: unknown) => void));
    },
    close: () => socket.close(),
  };
}

/** Self time by function and by file, ms. */
function selfTimes(profile: Profile) {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1_000);
  });
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node);
  const label = (node: ProfileNode) => {
    const file = node.callFrame.url.split("/").slice(-2).join("/") || "(native)";
    return `${node.callFrame.functionName || "(anonymous)"} ${file}:${node.callFrame.lineNumber + 1}`;
  };
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0;
    if (ms === 0) continue;
    const file = node.callFrame.url.split("/").slice(-2).join("/") || "(native)";
    // A native function is named with the JS function that called it (exec ← due).
    const caller = node.callFrame.url === "" ? parent.get(node.id) : undefined;
    const name = caller ? `${label(node)} ← ${label(caller)}` : label(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { functions: top(byFunction, 40), files: top(byFile, 15) };
}

const stateRoot = await mkdtemp(path.join(os.tmpdir(), "foyer-profile-"));
const receiver = await startVendorReceiver();
const edge = await startFoyer(path.join(stateRoot, "profile"), {
  queueConsumer: true,
  inspectorPort: INSPECTOR_PORT,
});
try {
  if (!edge.inspectorUrl) throw new Error("no inspector");
  const runId = Date.now().toString(36);
  const events = workload(runId);
  const { source, destinations } = await configure(edge, receiver, runId);
  const session = await devtools(edge.inspectorUrl);
  await session.call("Profiler.enable");
  await session.call("Profiler.setSamplingInterval", { interval: 200 });
  await session.call("Profiler.start");
  const started = performance.now();
  await sendAll(batchRequests(events, 100, new Date()), {
    baseUrl: edge.directUrl,
    headers: source.headers,
    concurrency: 4,
    deadlineMs: 300_000,
  });
  const wanted = new Set(events.map((e) => String(e.messageId)));
  const counters = destinations.map((d) => arrivalCounter(receiver, d.session, wanted));
  while (
    !counters.every((count) => count() >= wanted.size) &&
    performance.now() - started < 300_000
  )
    await sleep(100);
  await sleep(Number(process.env.FOYER_PROFILE_SETTLE_MS ?? "2000"));
  const { profile } = await session.call<{ profile: Profile }>("Profiler.stop");
  session.close();
  if (process.env.FOYER_PROFILE_OUT)
    await writeFile(process.env.FOYER_PROFILE_OUT, JSON.stringify(profile));
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1_000;
  const { functions, files } = selfTimes(profile);
  console.log(`${events.length} events, ${total.toFixed(0)} ms profiled`);
  console.log("\nself time by file:");
  for (const [file, ms] of files) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${file}`);
  console.log("\nself time by function:");
  for (const [name, ms] of functions) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
} finally {
  await edge.stop();
  await receiver.close();
  await rm(stateRoot, { recursive: true, force: true });
}

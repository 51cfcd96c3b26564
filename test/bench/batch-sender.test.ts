import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pollUntil, sendAll } from "./batch-sender.ts";

// A real HTTP server on an ephemeral loopback port: path /ok answers 200, /busy answers 503 on
// its first call per body then 200, /bad answers 400.
let server: Server;
let base: URL;
const busySeen = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (req.url === "/bad") res.statusCode = 400;
      else if (req.url === "/busy" && !busySeen.has(body)) {
        busySeen.add(body);
        res.statusCode = 503;
      }
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  base = new URL(`http://127.0.0.1:${address.port}`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("sendAll", () => {
  it("sends every request once and counts acknowledged events", async () => {
    const requests = Array.from({ length: 7 }, (_, i) => ({
      path: "/ok",
      body: `${i}`,
      events: 10,
    }));
    const result = await sendAll(requests, {
      baseUrl: base,
      headers: {},
      concurrency: 3,
      deadlineMs: 10_000,
    });
    expect(result.eventsAcked).toBe(70);
    expect(result.failures).toEqual([]);
    expect(result.latenciesMs).toHaveLength(7);
  });

  it("retries 503 and reports other statuses as failures by index", async () => {
    const result = await sendAll(
      [
        { path: "/busy", body: "a", events: 1 },
        { path: "/bad", body: "b", events: 1 },
      ],
      { baseUrl: base, headers: {}, concurrency: 1, deadlineMs: 10_000 },
    );
    expect(result.eventsAcked).toBe(1);
    expect(result.failures).toEqual([{ index: 1, status: 400 }]);
  });

  it("refuses a non-loopback target", async () => {
    await expect(
      sendAll([], {
        baseUrl: new URL("http://192.0.2.1"),
        headers: {},
        concurrency: 1,
        deadlineMs: 1,
      }),
    ).rejects.toThrow(/non-loopback/);
  });
});

describe("pollUntil", () => {
  it("returns as soon as the condition holds", async () => {
    let n = 0;
    const result = await pollUntil(
      () => Promise.resolve(++n),
      (v) => v >= 3,
      { intervalMs: 1, deadlineMs: 5_000 },
    );
    expect(result).toMatchObject({ value: 3, reached: true });
  });

  it("gives up at the deadline with the last value", async () => {
    const result = await pollUntil(
      () => Promise.resolve(0),
      (v) => v > 0,
      { intervalMs: 5, deadlineMs: 30 },
    );
    expect(result).toMatchObject({ value: 0, reached: false });
  });
});

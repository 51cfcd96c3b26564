import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isFallingBehind, MAX_UNREAD_BYTES } from "../../../worker/debugger/source-debugger.ts";
import { ADMIN, admin, call, eventually, newSource, track } from "../support.ts";

describe("source debugger", () => {
  it("keeps the latest events and streams new ones over SSE", async () => {
    const s = await newSource();
    const res = await call(`/admin/v1/sources/${s.sourceId}/debugger`, { headers: ADMIN });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();

    await track(s.writeKey, "/v1/track", { userId: "u", event: "Live One", messageId: "live-1" });
    let received = "";
    const deadline = Date.now() + 10_000;
    while (!received.includes("live-1") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    expect(received).toContain('"messageId":"live-1"');
    await reader.cancel();

    const recent = await eventually(async () => {
      const r = await admin<{ events: { messageId: string }[] }>(
        "GET",
        `/sources/${s.sourceId}/debugger/recent`,
      );
      return r.events.length > 0 ? r.events : undefined;
    });
    expect(recent[0]?.messageId).toBe("live-1");
  });

  it("streams over WebSocket", async () => {
    const s = await newSource();
    const res = await call(`/admin/v1/sources/${s.sourceId}/debugger`, {
      headers: { ...ADMIN, upgrade: "websocket" },
    });
    expect(res.status).toBe(101);
    const socket = res.webSocket!;
    socket.accept();
    const got = new Promise<string>((resolve) => {
      socket.addEventListener("message", (event) => resolve(String(event.data)));
    });
    await track(s.writeKey, "/v1/track", { userId: "u", event: "Socket", messageId: "ws-1" });
    expect(JSON.parse(await got)).toMatchObject({ messageId: "ws-1", event: "Socket" });
    socket.close();
  });
});

describe("a viewer that never reads", () => {
  it("is dropped once it leaves more than 1 MiB unread; the object buffers no more", async () => {
    const s = await newSource();
    const res = await call(`/admin/v1/sources/${s.sourceId}/debugger`, { headers: ADMIN });
    expect(res.status).toBe(200);
    const stub = env.SOURCE_DEBUGGER.get(env.SOURCE_DEBUGGER.idFromName(s.sourceId));
    expect(await stub.viewers()).toBe(1);
    // 64 KiB events, never read: the stream fills past its limit within a few dozen pushes.
    const body = JSON.stringify({ messageId: "big", properties: { pad: "x".repeat(65_536) } });
    for (let i = 0; i < 40 && (await stub.viewers()) > 0; i++) await stub.push([body, body]);
    expect(await stub.viewers()).toBe(0);
    await res.body?.cancel().catch(() => undefined);
  });

  it("judges by what is unread", () => {
    expect(isFallingBehind(null)).toBe(false);
    expect(isFallingBehind(1_000)).toBe(false);
    expect(isFallingBehind(-MAX_UNREAD_BYTES)).toBe(false);
    expect(isFallingBehind(-MAX_UNREAD_BYTES - 1)).toBe(true);
  });
});

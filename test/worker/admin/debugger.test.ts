import { describe, expect, it } from "vitest";
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

import { describe, expect, it } from "vitest";
import { createJsonLog, scrubText } from "../../../agent/log/json-log.ts";

describe("scrubText", () => {
  it.each([
    ["client f2:62:e7:99:63:c6 joined", "client [mac] joined"],
    ["F2-62-E7-99-63-C6", "[mac]"],
    ["mac=f262e79963c6;", "mac=[mac];"],
    ["aabb.ccdd.eeff", "[mac]"],
    ["user guest@example.com", "user [email]"],
  ])("%j -> %j", (input, expected) => expect(scrubText(input)).toBe(expected));

  it("keeps 64-hex hashes and ordinary text", () => {
    const hash = "fb52f5b7ef03d1531604236bd6bed3386fd9d8f80a57275bb5b523f7d9cdb672";
    expect(scrubText(`hash ${hash}`)).toBe(`hash ${hash}`);
    expect(scrubText("radius access decision")).toBe("radius access decision");
  });
});

describe("createJsonLog", () => {
  it("writes one JSON object per line, filters by level, redacts secret-named fields", () => {
    const lines: string[] = [];
    const log = createJsonLog(
      "info",
      (l) => lines.push(l),
      () => new Date("2026-03-01T00:00:00Z"),
    );
    log.debug("hidden");
    log.info("hello", {
      port: 1812,
      secret: "testing123",
      nested: { writeKey: "wk", mac: "F2-62-E7-99-63-C6" },
    });
    log.error("from f2:62:e7:99:63:c6");
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith("\n"))).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: "2026-03-01T00:00:00.000Z",
      level: "info",
      msg: "hello",
      port: 1812,
      secret: "[redacted]",
      nested: { writeKey: "[redacted]", mac: "[mac]" },
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: "error", msg: "from [mac]" });
  });
});

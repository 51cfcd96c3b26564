// dropRedFields: the always-dropped classes leave the event before the Queue; nothing else does.
import { describe, expect, it } from "vitest";
import { dropRedFields } from "../../../worker/gate/pii/edge-drop.ts";
import type { NormalizedMessage } from "../../../worker/message/message.ts";

function message(properties: NormalizedMessage["properties"]): NormalizedMessage {
  return { type: "track", event: "E", userId: "u", properties } as NormalizedMessage;
}

describe("dropRedFields", () => {
  it("removes card numbers, IBANs and credentials, nulls array slots, and keeps the input", () => {
    const input = message({
      card: "4111-1111-1111-1111",
      list: ["fr14 2004 1010 0505 0001 3m02 606", "keep"],
      nested: { passcode: "1234" },
      email: "a@example.com",
    });
    const before = JSON.stringify(input);
    const { message: out, dropped } = dropRedFields(input);
    expect(dropped).toBe(3);
    expect(out.properties).toEqual({ list: [null, "keep"], nested: {}, email: "a@example.com" });
    expect(JSON.stringify(input)).toBe(before);
  });

  it.each([
    ["a Luhn-invalid 16-digit number", "4111111111111112"],
    ["an ISO timestamp", "2026-12-06T12:00:00.000Z"],
    ["a unix-ms timestamp", 1765022400000],
    ["an IBAN with a wrong check", "DE00370400440532013000"],
    ["an order id", "ORD-2026-000123"],
  ])("keeps %s", (_name, value) => {
    const input = message({ value });
    const { message: out, dropped } = dropRedFields(input);
    expect(dropped).toBe(0);
    expect(out.properties).toEqual({ value });
  });
});

import { describe, expect, it } from "vitest";
import {
  MAX_SCAN_DEPTH,
  classifyMessage,
  formatPath,
  normalizeKey,
  valueClass,
  type PiiField,
} from "../../../worker/gate/pii/classifier.ts";
import { isCardNumber, isIban, passesLuhn } from "../../../worker/message/value-patterns.ts";
import type { JsonObject } from "../../../worker/message/message.ts";
import { pageEvent } from "./consent-fixtures.ts";
import { identifyWithPii, orderWithPayment } from "./pii-fixtures.ts";

function byPath(fields: PiiField[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [formatPath(f.path), `${f.class}/${f.matchedBy}`]));
}

describe("normalizeKey", () => {
  it.each([["firstName"], ["first_name"], ["First Name"], ["FIRST-NAME"], ["first.name"]])(
    "%s → firstname",
    (key) => {
      expect(normalizeKey(key)).toBe("firstname");
    },
  );
});

describe("classifyMessage on an identify", () => {
  const found = byPath(classifyMessage(identifyWithPii()));

  it("finds reserved traits by key whatever their spelling", () => {
    expect(found).toMatchObject({
      "traits.email": "email/key",
      "traits.firstName": "first_name/key",
      "traits.last_name": "last_name/key",
      'traits["Phone Number"]': "phone/key",
      "traits.name": "full_name/key",
      "traits.birthday": "birthday/key",
      "traits.address": "address/key",
      "context.ip": "ip/key",
      "context.traits.Email": "email/key",
    });
  });

  it("finds an email by value in externalIds but not the agent's MAC hash", () => {
    expect(found["context.externalIds[0].id"]).toBe("email/value");
    expect(Object.keys(found).some((p) => p.startsWith("context.externalIds[1]"))).toBe(false);
  });

  it("finds a card number inside free text", () => {
    expect(found["traits.notes"]).toBe("card_number/value");
  });

  it("leaves non-personal traits, a company's name and the consent object alone", () => {
    for (const path of [
      "traits.plan",
      "traits.logins",
      "traits.company.name",
      "traits.company",
      "context.library.name",
    ]) {
      expect(found[path]).toBeUndefined();
    }
    expect(Object.keys(found).some((p) => p.startsWith("context.consent"))).toBe(false);
  });
});

describe("classifyMessage on an order", () => {
  const found = byPath(classifyMessage(orderWithPayment()));

  it("finds payment data by key and by value", () => {
    expect(found).toMatchObject({
      "properties.payment.cardNumber": "card_number/key",
      "properties.payment.iban": "iban/key",
      "properties.billing_iban": "iban/value",
      "properties.card_on_file": "card_number/value",
      "properties.contact": "email/value",
      "properties.receipt_phone": "phone/value",
      "properties.device_mac": "mac/key",
      "properties.client_ip": "ip/key",
      "context.ip": "ip/key",
    });
  });

  it("does not flag a product name, ids, prices, dates or a millisecond timestamp", () => {
    for (const path of [
      "properties.name",
      "properties.order_id",
      "properties.total",
      "properties.placed_at",
      "properties.reference",
      "properties.products[0].name",
      "properties.products[0].product_id",
    ]) {
      expect(found[path]).toBeUndefined();
    }
  });
});

describe("classifyMessage on an analytics.js page call", () => {
  it("finds only the IP in the context analytics.js sends", () => {
    expect(byPath(classifyMessage(pageEvent({ C0001: true })))).toEqual({ "context.ip": "ip/key" });
  });

  it("treats a URL carrying an email in its query as personal (hashed with the email class)", () => {
    const event = pageEvent(
      undefined,
      {},
      { page: { url: "https://harbourcafe.example/?email=jane@example.org" } },
    );
    expect(byPath(classifyMessage(event))["context.page.url"]).toBe("email/value");
  });
});

describe("valueClass", () => {
  it.each([
    ["4111 1111 1111 1111", "card_number"],
    ["378282246310005", "card_number"],
    ["6011-1111-1111-1117", "card_number"],
    ["DE89 3704 0044 0532 0130 00", "iban"],
    ["fr1420041010050500013m02606", "iban"],
    ["peter@example.com", "email"],
    ["AA-BB-CC-DD-EE-FF", "mac"],
    ["aabb.ccdd.eeff", "mac"],
    ["::ffff:192.0.2.128", "ip"],
    ["(650) 555-1212", "phone"],
    ["0044 20 7946 0958", "phone"],
    ["Transfer to GB82WEST12345698765432 please", "iban"],
  ])("%s → %s", (value, cls) => {
    expect(valueClass(value)).toBe(cls);
  });

  it.each([
    ["4111 1111 1111 1112"],
    ["1234567812345670"],
    ["GB82 WEST 1234 5698 7654 33"],
    ["GB82WEST123456987654"],
    ["not-an-email@"],
    ["1234567"],
    ["2026-06-13"],
    ["3.14159"],
    ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    ["Great roast, see you Sunday"],
    [true],
    [null],
    [12.5],
  ])("%j is not personal", (value) => {
    expect(valueClass(value)).toBeUndefined();
  });
});

describe("checksums", () => {
  it("Luhn accepts the test cards and refuses one digit off", () => {
    expect(passesLuhn("79927398713")).toBe(true);
    expect(passesLuhn("79927398710")).toBe(false);
    expect(passesLuhn("7992a398713")).toBe(false);
  });
  it("a Luhn-valid number without an issuer prefix is not a card", () => {
    expect(passesLuhn("1234567812345670")).toBe(true);
    expect(isCardNumber("1234567812345670")).toBe(false);
  });
  it("IBAN needs the registered length of its country", () => {
    expect(isIban("NL91ABNA0417164300")).toBe(true);
    expect(isIban("NL91ABNA04171643000")).toBe(false);
    expect(isIban("ZZ91ABNA0417164300")).toBe(false);
  });
});

describe("bounds", () => {
  it("drops a subtree nested deeper than the scan limit whole", () => {
    let deep: JsonObject = { leaf: "x" };
    for (let i = 0; i < MAX_SCAN_DEPTH + 5; i++) deep = { nested: deep };
    const message = { ...orderWithPayment(), properties: { deep } };
    const fields = classifyMessage(message).filter((f) => f.path[0] === "properties");
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatchObject({ class: "unscannable" });
    expect(fields[0]?.path.length).toBe(MAX_SCAN_DEPTH + 1);
  });

  it("ignores null under a personal key (null removes a trait)", () => {
    expect(classifyMessage({ traits: { email: null }, context: {} })).toEqual([]);
  });
});

describe("group traits", () => {
  it("reads a group call's traits.name as the account's, not a person's", () => {
    const group = classifyMessage({
      type: "group",
      traits: { name: "Foyer Hall", email: "hi@foyer.example" },
      context: {},
    });
    expect(group.map((f) => f.class)).toEqual(["email"]);
    const identify = classifyMessage({
      type: "identify",
      traits: { name: "Ada Lovelace" },
      context: {},
    });
    expect(identify.map((f) => f.class)).toEqual(["full_name"]);
  });
});

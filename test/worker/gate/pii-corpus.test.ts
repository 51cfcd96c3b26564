// The PII corpus (test/fixtures/pii/corpus.json) sent through /v1/batch: no raw card number, IBAN
// or credential may reach the D1 index, the R2 archive or the profile's event history, while
// look-alike values (order ids, SKUs, timestamps, Luhn-invalid numbers) survive unchanged.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import corpus from "../../fixtures/pii/corpus.json";
import {
  admin,
  archivedObjects,
  call,
  eventually,
  newSource,
  storedEventually,
  storedLines,
  track,
  expectNoneOf,
  profileApiToken,
} from "../support.ts";

const expectNoRaw = (where: string, text: string) => expectNoneOf(corpus.raw, where, text);

describe("the PII corpus through /v1/batch", () => {
  it("leaves no raw card, IBAN or credential in D1, R2 or the profile, and keeps look-alikes", async () => {
    const s = await newSource();
    const res = await track(s.writeKey, "/v1/batch", { batch: corpus.messages });
    expect(res.status).toBe(200);
    await storedEventually(s.sourceId, 1);

    const lines = await storedLines(s.sourceId);
    expectNoRaw("stored events", lines.join("\n"));
    const stored = JSON.parse(lines[0]!) as { properties: Record<string, unknown> };
    expect(stored.properties).toMatchObject(corpus.survivors);
    expect(stored.properties.accounts).toEqual([null, "ok"]);

    const keys = await eventually(async () => {
      const found = await archivedObjects(s.sourceId);
      return found.length > 0 ? found : undefined;
    });
    for (const key of keys) expectNoRaw(`R2 ${key}`, await (await env.ARCHIVE.get(key))!.text());

    const accessToken = { token: await profileApiToken(s.spaceId) };
    const history = await eventually(async () => {
      const r = await call(
        `/v1/spaces/${s.spaceId}/collections/users/profiles/user_id:u-corpus/events`,
        { headers: { authorization: `Basic ${btoa(`${accessToken.token}:`)}` } },
      );
      if (r.status !== 200) return undefined;
      const text = await r.text();
      return text.includes("Order Completed") ? text : undefined;
    });
    expectNoRaw("profile events", history);

    const recent = await eventually(async () => {
      const r = await admin<{ events: unknown[] }>("GET", `/sources/${s.sourceId}/debugger/recent`);
      return r.events.length > 0 ? r.events : undefined;
    });
    expectNoRaw("debugger buffer", JSON.stringify(recent));
    expect(JSON.stringify(recent)).toContain("SKU-48213-XL");
    expect(history).toContain("ORD-2026-000123");
    expect(history).toContain("4111111111111112");
  });
});

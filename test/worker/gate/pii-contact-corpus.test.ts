// Emails under key variants (`email`, `E-mail`, `emailAddress`), inside arrays and nested objects,
// sent through /v1/batch: the D1 index and the R2 archive keep them hashed (storage policy), never
// raw, and unrelated properties survive.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import corpus from "../../fixtures/pii/contact-corpus.json";
import {
  archivedObjects,
  eventually,
  newSource,
  storedEventually,
  storedLines,
  track,
} from "../support.ts";

describe("the contact corpus through /v1/batch", () => {
  it("stores no raw email in D1 or R2, whatever the key spelling or nesting", async () => {
    const s = await newSource();
    const res = await track(s.writeKey, "/v1/batch", { batch: [corpus.message] });
    expect(res.status).toBe(200);
    await storedEventually(s.sourceId, 1);
    const [line] = await storedLines(s.sourceId);
    const keys = await eventually(async () => {
      const found = await archivedObjects(s.sourceId);
      return found.length > 0 ? found : undefined;
    });
    const archived = await Promise.all(keys.map(async (k) => (await env.ARCHIVE.get(k))!.text()));
    for (const text of [line!, ...archived]) {
      for (const raw of corpus.raw) expect(text.toLowerCase()).not.toContain(raw);
    }
    const properties = (JSON.parse(line!) as { properties: Record<string, unknown> }).properties;
    expect(properties.plan).toBe("pro");
    expect(properties["E-mail"]).toMatch(/^[0-9a-f]{64}$/);
    expect(properties.invitees).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
  });
});

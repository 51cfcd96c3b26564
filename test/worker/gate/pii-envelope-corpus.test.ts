// Red data and contact-shaped ids outside traits, properties and context's scanned parts: top-level
// custom fields, `event` and `name`, the subtrees whose key names are not matched (library,
// consent, protocols, userAgentData), and emails or phones used as userId, anonymousId or
// previousId. Read back from every store: D1 (bodies and id columns), R2, the debugger, the
// identity audit.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import corpus from "../../fixtures/pii/envelope-corpus.json";
import {
  admin,
  archivedObjects,
  eventually,
  newSource,
  storedEventually,
  storedLines,
  track,
  expectNoneOf,
} from "../support.ts";

const expectNoRaw = (where: string, text: string) => expectNoneOf(corpus.raw, where, text);

describe("the envelope PII corpus through /v1/batch", () => {
  it("leaves no red value or contact-shaped id in clear in any store", async () => {
    const s = await newSource();
    const res = await track(s.writeKey, "/v1/batch", { batch: corpus.messages });
    expect(res.status).toBe(200);
    await storedEventually(s.sourceId, corpus.messages.length);

    const lines = await storedLines(s.sourceId);
    expectNoRaw("stored events", lines.join("\n"));
    const byId = new Map(
      lines.map((line) => {
        const event = JSON.parse(line) as Record<string, unknown>;
        return [event.messageId as string, event];
      }),
    );
    const paid = byId.get("env-1")!;
    expect(paid.event).toBe("[redacted]");
    expect(paid).not.toHaveProperty("cardNumber");
    expect(paid).not.toHaveProperty("password");
    expect((paid.context as { library: Record<string, unknown> }).library).toEqual({
      name: "analytics.js",
      version: "5.2.0",
    });
    expect(byId.get("env-2")).toMatchObject({ name: "[redacted]" });
    // Contact-shaped ids are stored as keyed hashes: 64 hex digits, not the value.
    expect(byId.get("env-3")!.userId).toMatch(/^[0-9a-f]{64}$/);
    expect(byId.get("env-3")!.anonymousId).toMatch(/^[0-9a-f]{64}$/);
    expect(byId.get("env-4")!.previousId).toMatch(/^[0-9a-f]{64}$/);

    const keys = await eventually(async () => {
      const found = await archivedObjects(s.sourceId);
      return found.length > 0 ? found : undefined;
    });
    for (const key of keys) expectNoRaw(`R2 ${key}`, await (await env.ARCHIVE.get(key))!.text());

    const recent = await eventually(async () => {
      const r = await admin<{ events: unknown[] }>("GET", `/sources/${s.sourceId}/debugger/recent`);
      return r.events.length >= corpus.messages.length ? r.events : undefined;
    });
    expectNoRaw("debugger buffer", JSON.stringify(recent));

    const audit = await eventually(async () => {
      const r = await env.DB.prepare("SELECT * FROM identity_audit WHERE space_id = ?")
        .bind(s.spaceId)
        .all();
      return r.results.length >= 3 ? r.results : undefined;
    });
    expectNoRaw("identity audit", JSON.stringify(audit));

    // The person is still found by the id as sent: the lookup hashes it the same way.
    const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(s.spaceId));
    expect(await graph.lookup("users", "user_id", "ada.lovelace@example.com")).toBeDefined();
  });
});

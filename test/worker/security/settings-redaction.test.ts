// What the admin API shows of a destination's settings: secrets at any depth (header names such as
// X-Api-Key and Authorization included) and credentials inside URLs are redacted; what a client
// sends back redacted on PUT keeps the stored secret.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  keepRedactedSecrets,
  redactSettings,
} from "../../../worker/delivery/destination-config.ts";
import { destinationObject } from "../../../worker/delivery/delivery-consumer.ts";
import { ADMIN, admin, call, expectNoneOf, newSource } from "../support.ts";

describe("redactSettings", () => {
  it("redacts secret-named values at any depth, URL userinfo and secret query values", () => {
    const shown = redactSettings({
      url: "https://user:hunter2@hooks.example/in?api_key=abc123&team=blue",
      secret: "whsec_x",
      headers: { "X-Api-Key": "k-1", Authorization: "Bearer t-2", "X-Tenant": "acme" },
      nested: [{ clientSecret: "s-3", region: "eu" }],
      apiKey: 12345,
    }) as Record<string, unknown>;
    const text = JSON.stringify(shown);
    for (const secret of ["hunter2", "abc123", "whsec_x", "k-1", "t-2", "s-3", "12345"])
      expect(text).not.toContain(secret);
    expect(shown.url).toBe("https://hooks.example/in?api_key=%5Bredacted%5D&team=blue");
    expect(shown.headers).toEqual({
      "X-Api-Key": "[redacted]",
      Authorization: "[redacted]",
      "X-Tenant": "acme",
    });
    expect(shown.nested).toEqual([{ clientSecret: "[redacted]", region: "eu" }]);
  });

  it("leaves plain settings alone", () => {
    const plain = { url: "https://hooks.example/in", events: ["a"], enabled: true };
    expect(redactSettings(plain)).toEqual(plain);
  });
});

describe("keepRedactedSecrets", () => {
  const stored = {
    url: "https://user:hunter2@hooks.example/in?api_key=abc123&team=blue",
    secret: "whsec_x",
    headers: { "X-Api-Key": "k-1", "X-Tenant": "acme" },
    nested: [{ clientSecret: "s-3", region: "eu" }],
  };

  it("puts back every value the API showed redacted, and keeps what the client changed", () => {
    const shown = redactSettings(stored) as typeof stored;
    expect(keepRedactedSecrets(shown, stored)).toEqual(stored);
    const edited = {
      ...shown,
      headers: { ...shown.headers, "X-Tenant": "globex" },
      secret: "whsec_new",
    };
    expect(keepRedactedSecrets(edited, stored)).toEqual({
      ...stored,
      headers: { "X-Api-Key": "k-1", "X-Tenant": "globex" },
      secret: "whsec_new",
    });
  });

  it("refuses a [redacted] with no stored secret behind it, naming the path", () => {
    expect(() => keepRedactedSecrets({ headers: { Authorization: "[redacted]" } }, stored)).toThrow(
      expect.objectContaining({ code: "redacted_secret", field: "settings.headers.Authorization" }),
    );
  });

  it("never takes a stored value through an inherited or hostile key", () => {
    const hostile = JSON.parse('{"__proto__": {"secret": "[redacted]"}}') as unknown;
    expect(() => keepRedactedSecrets(hostile, stored)).toThrow(
      expect.objectContaining({ code: "redacted_secret" }),
    );
    expect(({} as Record<string, unknown>).secret).toBeUndefined();
  });
});

describe("GET then PUT of a destination through the admin API", () => {
  it("keeps the stored secrets; GET never shows them", async () => {
    const { spaceId } = await newSource();
    const settings = {
      url: "https://receiver.test/round-trip?token=q-7",
      secret: "whsec_round_trip",
      headers: { "X-Api-Key": "k-8", "X-Tenant": "acme" },
    };
    const { destination } = await admin<{ destination: { id: string } }>(
      "POST",
      `/spaces/${spaceId}/destinations`,
      { slug: "webhook", name: "Webhook", settings },
    );
    const path = `/spaces/${spaceId}/destinations/${destination.id}`;
    const shown = await admin<{ destination: Record<string, unknown> }>("GET", path);
    const { id, spaceId: _s, version, updatedAt, ...writable } = shown.destination;
    const put = await call(`/admin/v1${path}`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ ...writable, name: "Renamed" }),
    });
    expect(put.status).toBe(200);
    expectNoneOf(["q-7", "whsec_round_trip", "k-8"], "PUT response", await put.text());
    const storedJson = await destinationObject(env, destination.id).configuration();
    const storedConfig = JSON.parse(storedJson ?? "{}") as { name: string; settings: unknown };
    expect(storedConfig.name).toBe("Renamed");
    expect(storedConfig.settings).toEqual(settings);
    expect([id, version, updatedAt].every((v) => v !== undefined)).toBe(true);

    // A [redacted] where nothing was stored is refused, and nothing changes.
    const refused = await call(`/admin/v1${path}`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({
        ...writable,
        settings: { ...settings, headers: { "X-Other-Key": "[redacted]" } },
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: { code: "redacted_secret", field: "settings.headers.X-Other-Key" },
    });
    const after = await destinationObject(env, destination.id).configuration();
    expect(after).toBe(storedJson);
  });
});

// What the admin API shows of a destination's settings: secrets at any depth (header names such as
// X-Api-Key and Authorization included) and credentials inside URLs are redacted.
import { describe, expect, it } from "vitest";
import { redactSettings } from "../../../worker/delivery/destination-config.ts";

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

// A space admin aiming a webhook at the worker's own network: refused when configured (400 naming
// the field, nothing stored), refused at send time for a URL that slipped past (a configuration
// stored before this check), and refused when a public receiver redirects to a private address.
import { describe, expect, it } from "vitest";
import { webhookDestination, webhookSettingsSchema } from "../../../worker/destinations/webhook.ts";
import { MAX_REDIRECTS } from "../../../worker/destinations/checked-fetch.ts";
import { admin, ADMIN, call, newSource } from "../support.ts";
import { orderCompleted, recordingContext } from "../destinations/recording-fetch.ts";

const SECRET = "whsec_0123456789abcdef";

async function createWebhook(spaceId: string, settings: Record<string, unknown>) {
  const res = await call(`/admin/v1/spaces/${spaceId}/destinations`, {
    method: "POST",
    headers: { ...ADMIN, "content-type": "application/json" },
    body: JSON.stringify({ slug: "webhook", name: "W", settings: { secret: SECRET, ...settings } }),
  });
  return {
    status: res.status,
    body: await res.json<{ error?: { code: string; field?: string } }>(),
  };
}

function redirect(status: number, location: string): Response {
  return new Response(null, { status, headers: { location } });
}

describe("webhook egress", () => {
  it.each([
    [{ url: "http://169.254.169.254/latest/meta-data/" }, "settings.url"],
    [{ url: "http://2130706433/" }, "settings.url"],
    [{ url: "http://0x7f.1/" }, "settings.url"],
    [{ url: "http://[::ffff:10.0.0.1]/" }, "settings.url"],
    [{ url: "http://metadata.google.internal/" }, "settings.url"],
    [{ url: "http://[fd00:ec2::254]/" }, "settings.url"],
    [{ url: "file:///etc/passwd" }, "settings.url"],
    [
      { url: "https://hooks.example.com/", headers: { "X-A": "a\r\nX-Injected: 1" } },
      "settings.headers.X-A",
    ],
    [{ url: "https://hooks.example.com/", headers: { Host: "internal" } }, "settings.headers"],
    [
      { url: "https://hooks.example.com/", headers: { Authorization: "Bearer x" } },
      "settings.headers",
    ],
    [{ url: "https://hooks.example.com/", headers: { "Content-Length": "1" } }, "settings.headers"],
    [
      { url: "https://hooks.example.com/", headers: { "Transfer-Encoding": "chunked" } },
      "settings.headers",
    ],
    [{ url: "https://hooks.example.com/", headers: { Cookie: "a=b" } }, "settings.headers"],
  ])("refuses %j at configuration with 400 on %s, storing nothing", async (settings, field) => {
    const { spaceId } = await newSource();
    const res = await createWebhook(spaceId, settings);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe("invalid_destination");
    expect(res.body.error?.field).toBe(field);
    const listed = await admin<{ destinations: unknown[] }>(
      "GET",
      `/spaces/${spaceId}/destinations`,
    );
    expect(listed.destinations).toEqual([]);
  });

  it("accepts a public URL with a custom header", async () => {
    const { spaceId } = await newSource();
    const res = await createWebhook(spaceId, {
      url: "https://hooks.example.com/",
      headers: { "X-Tenant": "a" },
    });
    expect(res.status).toBe(201);
  });

  it("refuses at send time a private URL, sending nothing", async () => {
    const { ctx, requests } = recordingContext([new Response("ok")]);
    const settings = {
      ...webhookSettingsSchema.parse({ url: "https://hooks.example.com/", secret: SECRET }),
    };
    settings.url = "http://169.254.169.254/latest/meta-data/";
    const result = await webhookDestination.send(orderCompleted(), settings, ctx);
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/refused URL: 169\.254\.169\.254 is a linkLocal address/);
    expect(requests).toEqual([]);
  });

  it.each([301, 302, 303, 307, 308])(
    "refuses a %i redirect to a private address",
    async (status) => {
      const { ctx, requests } = recordingContext([
        redirect(status, "http://[::ffff:127.0.0.1]:8787/admin"),
      ]);
      const settings = webhookSettingsSchema.parse({
        url: "https://hooks.example.com/",
        secret: SECRET,
      });
      const result = await webhookDestination.send(orderCompleted(), settings, ctx);
      expect(result).toMatchObject({ status: "failed", httpStatus: null });
      expect(result.error).toMatch(/refused redirect: .*loopback/);
      expect(requests.map((r) => r.url)).toEqual(["https://hooks.example.com/"]);
    },
  );

  it("follows a redirect to a public host, keeping the body on 307", async () => {
    const { ctx, requests } = recordingContext([
      redirect(307, "https://other.example.com/in"),
      new Response("ok"),
    ]);
    const settings = webhookSettingsSchema.parse({
      url: "https://hooks.example.com/",
      secret: SECRET,
    });
    const result = await webhookDestination.send(orderCompleted(), settings, ctx);
    expect(result).toEqual({ status: "delivered", httpStatus: 200 });
    expect(requests.map((r) => [r.method, r.url])).toEqual([
      ["POST", "https://hooks.example.com/"],
      ["POST", "https://other.example.com/in"],
    ]);
    expect(requests[1]?.body).toBe(requests[0]?.body);
  });

  it("gives up after a bounded number of hops", async () => {
    const loop = Array.from({ length: MAX_REDIRECTS + 2 }, (_, i) =>
      redirect(302, `https://h${i}.example.com/`),
    );
    const { ctx, requests } = recordingContext(loop);
    const settings = webhookSettingsSchema.parse({
      url: "https://hooks.example.com/",
      secret: SECRET,
    });
    const result = await webhookDestination.send(orderCompleted(), settings, ctx);
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/more than 5 redirects/);
    expect(requests).toHaveLength(MAX_REDIRECTS + 1);
  });
});

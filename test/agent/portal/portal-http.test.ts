// The portal through the agent's Hono app (app.request, no server): the security rules that a
// browser test cannot easily provoke — CSRF, tampering, rate limits, body limit, double submit,
// grant failure after a durable login, open-redirect fallbacks, and no PII in the log.
import { afterEach, describe, expect, it } from "vitest";
import { IN_PROCESS_CLIENT, portalHarness, type PortalHarness } from "./portal-harness.ts";

const MAC = "f4:5c:89:9b:17:67";
const arrival = (extra: Record<string, string> = {}) =>
  new URLSearchParams({
    base_grant_url: "https://n143.network-auth.com/splash/grant",
    user_continue_url: "http://www.ask.com/",
    client_mac: MAC,
    ...extra,
  }).toString();

let h: PortalHarness;
afterEach(() => h.close());

async function openForm(
  query: string,
  cookie = "",
): Promise<{ csrf: string; arrival: string; cookie: string }> {
  const res = await h.app.request(`/portal/form?${query}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const page = await res.text();
  const sid = /portal_sid=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  const unescape = (s: string) => s.replaceAll("&amp;", "&");
  return {
    csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]!,
    arrival: unescape(/name="arrival" value="([^"]+)"/.exec(page)![1]!),
    cookie: sid ? `portal_sid=${sid}` : cookie,
  };
}

function post(path: string, cookie: string, fields: Record<string, string>): Promise<Response> {
  return Promise.resolve(
    h.app.request(path, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

const good = { email: "ana@example.com", name: "Ana Lima", terms: "yes", consent_marketing: "yes" };

describe("portal HTTP", () => {
  it("records identify + track durably, then redirects to the Meraki grant URL", async () => {
    h = portalHarness();
    h.observe(IN_PROCESS_CLIENT, MAC);
    const form = await openForm(arrival());
    const res = await post("/portal/login", form.cookie, {
      ...good,
      csrf: form.csrf,
      arrival: form.arrival,
    });
    expect(res.status).toBe(303);
    const grant = new URL(res.headers.get("location")!);
    expect(`${grant.origin}${grant.pathname}`).toBe("https://n143.network-auth.com/splash/grant");
    // www.ask.com is not an allowed continue host: Meraki is sent to the portal's success page instead.
    expect(grant.searchParams.get("continue_url")).toBe("http://localhost/portal/success");
    expect(grant.searchParams.get("duration")).toBe("43200");
    expect(res.headers.get("set-cookie")).toMatch(/foyer_guest=pg_[^;]+; .*HttpOnly/);
    const [identify, track] = h.drain();
    expect(identify).toMatchObject({
      type: "identify",
      traits: { email: "ana@example.com", name: "Ana Lima" },
      context: {
        consent: { categoryPreferences: { Marketing: true, Analytics: false, Advertising: false } },
      },
    });
    expect(track).toMatchObject({ type: "track", event: "WiFi Login Completed" });
    const ids = (identify!.context as { externalIds: { type: string; id: string }[] }).externalIds;
    expect(ids.map((i) => i.type)).toEqual(["wifi_mac", "portal_guest"]);
    expect(ids[0]!.id).toBe(h.hashMac(MAC));
  });

  it("binds no MAC the agent did not see at the guest's address: forged or unobserved", async () => {
    for (const seen of [undefined, "00:18:0a:99:99:99"]) {
      h = portalHarness();
      // The NAS framed this address for another device (or for none): the redirect's MAC is a claim.
      if (seen) h.observe(IN_PROCESS_CLIENT, seen);
      const form = await openForm(arrival());
      const res = await post("/portal/login", form.cookie, {
        ...good,
        csrf: form.csrf,
        arrival: form.arrival,
      });
      expect(res.status).toBe(303);
      const [identify, track] = h.drain();
      const ids = (identify!.context as { externalIds: { type: string }[] }).externalIds;
      expect(ids.map((i) => i.type)).toEqual(["portal_guest"]);
      expect(identify!.anonymousId).not.toBe(h.hashMac(MAC));
      expect(track!.properties).toMatchObject({ macBinding: "unconfirmed" });
      // No 30-day RADIUS MAC authorization and no recognition by that MAC.
      expect(h.credentials.isMacAuthorized(h.hashMac(MAC), 30 * 86_400_000)).toBe(false);
      const again = await h.app.request(`/portal?${arrival()}`);
      expect(await again.text()).not.toContain("Welcome back");
      expect(h.logLines.join("\n")).toContain("portal login without MAC binding");
      h.close();
    }
    h = portalHarness();
  });

  it("stores a double-submitted form once (messageIds derive from the form's token)", async () => {
    h = portalHarness();
    const form = await openForm(arrival());
    for (let i = 0; i < 2; i++)
      expect(
        (
          await post("/portal/login", form.cookie, {
            ...good,
            csrf: form.csrf,
            arrival: form.arrival,
          })
        ).status,
      ).toBe(303);
    expect(h.drain()).toHaveLength(2);
  });

  it.each([
    [
      "no session cookie",
      (f: { cookie: string; csrf: string; arrival: string }) => ({
        cookie: "",
        fields: { csrf: f.csrf, arrival: f.arrival },
      }),
    ],
    [
      "another session's cookie",
      (f: { cookie: string; csrf: string; arrival: string }) => ({
        cookie: "portal_sid=AAAAAAAAAAAAAAAAAAAAAA",
        fields: { csrf: f.csrf, arrival: f.arrival },
      }),
    ],
    [
      "no token",
      (f: { cookie: string; csrf: string; arrival: string }) => ({
        cookie: f.cookie,
        fields: { arrival: f.arrival },
      }),
    ],
    [
      "an edited client MAC",
      (f: { cookie: string; csrf: string; arrival: string }) => ({
        cookie: f.cookie,
        fields: { csrf: f.csrf, arrival: f.arrival.replace("f4%3A5c", "00%3A11") },
      }),
    ],
    [
      "an edited grant URL",
      (f: { cookie: string; csrf: string; arrival: string }) => ({
        cookie: f.cookie,
        fields: { csrf: f.csrf, arrival: f.arrival.replace("n143", "n144") },
      }),
    ],
  ])("refuses a post with %s (403) and changes nothing", async (_label, tamper) => {
    h = portalHarness();
    const form = await openForm(arrival());
    const { cookie, fields } = tamper(form);
    const res = await post("/portal/login", cookie, { ...good, ...fields });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("This form has expired");
    expect(h.drain()).toEqual([]);
  });

  it("re-renders the form with 422 and inline errors, storing nothing", async () => {
    h = portalHarness({ fields: { name: "required", phone: "off" } });
    const form = await openForm(arrival());
    const res = await post("/portal/login", form.cookie, {
      email: "nope",
      csrf: form.csrf,
      arrival: form.arrival,
    });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain("Enter an email address like name@example.com");
    expect(page).toContain("Enter your name");
    expect(page).toContain("Accept the terms of use to connect");
    expect(page).toContain('value="nope"');
    expect(h.drain()).toEqual([]);
  });

  it("limits posts per client MAC with 429 and Retry-After", async () => {
    h = portalHarness({ rateLimit: { perMac: { max: 2, windowSeconds: 600 } } });
    const form = await openForm(arrival());
    const send = () =>
      post("/portal/login", form.cookie, { email: "bad", csrf: form.csrf, arrival: form.arrival });
    expect((await send()).status).toBe(422);
    expect((await send()).status).toBe(422);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another MAC is not affected.
    const other = await openForm(arrival({ client_mac: "00:18:0a:13:dd:b0" }));
    expect(
      (
        await post("/portal/login", other.cookie, {
          ...good,
          csrf: other.csrf,
          arrival: other.arrival,
        })
      ).status,
    ).toBe(303);
  });

  it("limits posts per client IP with 429 before reading the form", async () => {
    h = portalHarness({ rateLimit: { perIp: { max: 1, windowSeconds: 600 } } });
    const form = await openForm(arrival());
    expect(
      (
        await post("/portal/login", form.cookie, {
          email: "bad",
          csrf: form.csrf,
          arrival: form.arrival,
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await post("/portal/login", form.cookie, {
          ...good,
          csrf: form.csrf,
          arrival: form.arrival,
        })
      ).status,
    ).toBe(429);
    expect(h.drain()).toEqual([]);
  });

  it("refuses a body over 16 KiB with 413", async () => {
    h = portalHarness();
    const form = await openForm(arrival());
    const res = await post("/portal/login", form.cookie, {
      ...good,
      csrf: form.csrf,
      arrival: form.arrival,
      name: "x".repeat(20_000),
    });
    expect(res.status).toBe(413);
    expect(h.drain()).toEqual([]);
  });

  it("sends an unrecognised device that posts to /portal/reconnect back to the form (409)", async () => {
    h = portalHarness();
    const form = await openForm(arrival());
    const res = await post("/portal/reconnect", form.cookie, {
      csrf: form.csrf,
      arrival: form.arrival,
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("We do not recognise this device");
    expect(h.drain()).toEqual([]);
  });

  it("keeps the login when the UniFi controller fails, and offers a retry (502)", async () => {
    h = portalHarness({ unifi: { url: "http://127.0.0.1:1", username: "u", password: "p" } });
    const q = new URLSearchParams({ id: "1c:71:25:63:e4:24", url: "http://example.com/" });
    const landing = await h.app.request(`/guest/s/default/?${q}`);
    expect(landing.status).toBe(200);
    const form = await openForm(`${q}&unifi_site=default`);
    const res = await post("/portal/login", form.cookie, {
      ...good,
      csrf: form.csrf,
      arrival: form.arrival,
    });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain("We could not connect you to the network");
    expect(h.drain().map((m) => m.type)).toEqual(["identify", "track"]);
  });

  it("shows success-page links only for allowed hosts", async () => {
    h = portalHarness({ continueHosts: ["venue.example"] });
    const ok = await (
      await h.app.request(
        `/portal/success?continue_url=${encodeURIComponent("https://venue.example/menu")}&logout_url=${encodeURIComponent("https://n1.network-auth.com/logout?key=1")}`,
      )
    ).text();
    expect(ok).toContain('href="https://venue.example/menu"');
    expect(ok).toContain('href="https://n1.network-auth.com/logout?key=1"');
    const evil = await (
      await h.app.request(
        `/portal/success?continue_url=${encodeURIComponent("https://evil.example/")}&logout_url=${encodeURIComponent("https://evil.example/")}`,
      )
    ).text();
    expect(evil).not.toContain("evil.example");
  });

  it("writes no email, phone, name or raw MAC to the log", async () => {
    h = portalHarness({ fields: { name: "optional", phone: "optional" } });
    const form = await openForm(arrival());
    await post("/portal/login", form.cookie, {
      ...good,
      phone: "+44 7700 900123",
      csrf: form.csrf,
      arrival: form.arrival,
    });
    await h.app.request(`/portal?${arrival({ client_mac: "zz" })}`);
    const log = h.logLines.join("\n");
    expect(log).toContain("portal login recorded");
    expect(log).toContain("portal redirect rejected");
    for (const pii of [
      "ana@example.com",
      "Ana Lima",
      "7700",
      MAC,
      MAC.replaceAll(":", ""),
      "f4%3A5c",
    ])
      expect(log).not.toContain(pii);
  });

  it("sets a strict CSP with a per-response nonce on every page", async () => {
    h = portalHarness();
    const a = await h.app.request(`/portal?${arrival()}`);
    const b = await h.app.request(`/portal?${arrival()}`);
    const csp = a.headers.get("content-security-policy")!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toBe(b.headers.get("content-security-policy"));
    expect(a.headers.get("cache-control")).toBe("no-store");
  });
});

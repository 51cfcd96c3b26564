// Attacks on the portal over real HTTP (@hono/node-server on an ephemeral port): hostile guest
// names, SSIDs and venue names come back escaped, forged continue URLs never become a link or a
// redirect, cookies carry HttpOnly/SameSite (and Secure behind an https publicUrl), and oversized
// posts are refused before anything is stored.
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startHttp, type RunningHttp } from "../../../agent/http/server.ts";
import { portalHarness, type PortalHarness } from "./portal-harness.ts";

const MAC = "f4:5c:89:9b:17:67";
const SCRIPT = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(1)>';

let h: PortalHarness;
let http: RunningHttp;
let base: string;
afterEach(async () => {
  await http.close();
  h.close();
});

async function serve(
  config: Record<string, unknown> = {},
  options: { venueName?: string } = {},
): Promise<void> {
  h = portalHarness(config, options);
  http = await startHttp(h.app, "127.0.0.1", 0);
  base = `http://127.0.0.1:${http.port}`;
}

const meraki = (extra: Record<string, string> = {}) =>
  new URLSearchParams({
    base_grant_url: "https://n143.network-auth.com/splash/grant",
    client_mac: MAC,
    ...extra,
  }).toString();

async function openForm(query: string) {
  const res = await fetch(`${base}/portal/form?${query}`);
  expect(res.status).toBe(200);
  const page = await res.text();
  return {
    setCookie: res.headers.get("set-cookie") ?? "",
    cookie: /portal_sid=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0],
    csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]!,
    arrival: /name="arrival" value="([^"]+)"/.exec(page)![1]!.replaceAll("&amp;", "&"),
  };
}

function login(form: { cookie: string; csrf: string; arrival: string }, fields = {}) {
  return fetch(`${base}/portal/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      email: "ana@example.com",
      terms: "yes",
      csrf: form.csrf,
      arrival: form.arrival,
      ...fields,
    }).toString(),
  });
}

/**
 * No injected tag and no injected attribute. Inside each real tag, quoted values are blanked
 * first: escaping turns `"` into `&quot;` and `<`/`>` into entities, so `onerror` can only show up
 * as an attribute of a tag if escaping failed.
 */
function expectNoRawMarkup(page: string): void {
  expect(page).not.toContain("<script>alert");
  expect(page).not.toContain("<img");
  const tags = page.match(/<[^>]*>/g) ?? [];
  expect(tags.map((t) => t.replace(/"[^"]*"/g, '""')).filter((t) => /onerror/i.test(t))).toEqual(
    [],
  );
}

describe("hostile text is escaped", () => {
  it("a guest name with <script> and an attribute break-out, re-rendered after a bad email", async () => {
    await serve({ fields: { name: "optional", phone: "off" } });
    const form = await openForm(meraki());
    const res = await login(form, { email: "not-an-email", name: SCRIPT + IMG });
    expect(res.status).toBe(422);
    const page = await res.text();
    expectNoRawMarkup(page);
    expect(page).toContain(
      'value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"',
    );
    expect(h.drain()).toEqual([]);
  });

  it("a venue name in the title and header", async () => {
    await serve({}, { venueName: `</title>${SCRIPT}${IMG}` });
    const page = await (await fetch(`${base}/portal?${meraki()}`)).text();
    expectNoRawMarkup(page);
    expect(page).toContain("&lt;/title&gt;&lt;script&gt;");
    expect(page.match(/<\/title>/g)).toHaveLength(1);
  });

  it("an Aruba SSID carried into the hand-off form's hidden field", async () => {
    await serve({ aruba: { allowedHosts: ["securelogin.arubanetworks.com"] } });
    const q = new URLSearchParams({
      cmd: "login",
      mac: "9c:2e:a1:35:c0:d5",
      essid: IMG,
      switchip: "securelogin.arubanetworks.com",
      url: "https://example.com/",
    }).toString();
    const res = await login(await openForm(q));
    expect(res.status).toBe(200);
    const page = await res.text();
    expectNoRawMarkup(page);
    expect(page).toContain('name="essid" value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  });
});

describe("no open redirect: forged continue URLs", () => {
  const forged = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "https:%2F%2Fevil.example",
    "https://venue.example%2F@evil.example/",
    "https://venue.example%40evil.example/",
    "https://venue.example@evil.example/",
    "https://user:pass@venue.example/",
    "https://venue.example.evil.example/",
    "https://evil.example/venue.example",
    "https://evil.example#@venue.example",
    "https://evil.example\\@venue.example",
    "https://evil.example?@venue.example",
  ];

  it.each(forged)("success page shows no link for %j", async (url) => {
    await serve({ continueHosts: ["venue.example"] });
    const res = await fetch(`${base}/portal/success?continue_url=${encodeURIComponent(url)}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toContain("evil.example");
    expect(page).not.toMatch(/href="(javascript|data|\/\/)/i);
  });

  it.each(forged)("the Meraki grant continues to our success page, not %j", async (url) => {
    await serve({ continueHosts: ["venue.example"] });
    const res = await login(await openForm(meraki({ user_continue_url: url })));
    expect(res.status).toBe(303);
    const grant = new URL(res.headers.get("location")!);
    expect(grant.host).toBe("n143.network-auth.com");
    expect(grant.searchParams.get("continue_url")).toBe(`${base}/portal/success`);
  });

  it("an allowed continue host passes through (the table above is not refusing everything)", async () => {
    await serve({ continueHosts: ["venue.example"] });
    const res = await login(
      await openForm(meraki({ user_continue_url: "https://venue.example/menu" })),
    );
    const grant = new URL(res.headers.get("location")!);
    expect(grant.searchParams.get("continue_url")).toBe("https://venue.example/menu");
  });
});

describe("cookies", () => {
  const cookiesOf = (res: Response) => res.headers.getSetCookie();

  it("behind an https publicUrl both cookies are Secure even though the hop is plain HTTP", async () => {
    await serve({ publicUrl: "https://portal.venue.example" });
    const form = await openForm(meraki());
    expect(form.setCookie).toMatch(/^portal_sid=[^;]+;.*HttpOnly/);
    expect(form.setCookie).toMatch(/; Secure/);
    expect(form.setCookie).toMatch(/; SameSite=Lax/);
    const res = await login(form);
    expect(res.status).toBe(303);
    const guest = cookiesOf(res).find((c) => c.startsWith("foyer_guest="));
    expect(guest).toMatch(/; HttpOnly/);
    expect(guest).toMatch(/; Secure/);
    expect(guest).toMatch(/; SameSite=Lax/);
  });

  it("on plain HTTP without an https publicUrl, HttpOnly and SameSite but not Secure", async () => {
    // Secure here would make the browser drop the cookie: the portal is reached over http.
    await serve({ publicUrl: "http://10.0.0.2:8080" });
    const form = await openForm(meraki());
    expect(form.setCookie).toMatch(/HttpOnly/);
    expect(form.setCookie).toMatch(/SameSite=Lax/);
    expect(form.setCookie).not.toMatch(/Secure/);
  });
});

describe("body size limit", () => {
  it("refuses a 20 KiB chunked post (no Content-Length) with 413 and stores nothing", async () => {
    await serve();
    const form = await openForm(meraki());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${base}/portal/login`,
        {
          method: "POST",
          headers: {
            cookie: form.cookie,
            "content-type": "application/x-www-form-urlencoded",
            "transfer-encoding": "chunked",
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      const fields = `csrf=${encodeURIComponent(form.csrf)}&arrival=${encodeURIComponent(form.arrival)}`;
      req.write(`${fields}&email=ana%40example.com&terms=yes&name=`);
      for (let i = 0; i < 20; i++) req.write("x".repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(h.drain()).toEqual([]);
  });
});

// The portal in headless Chromium: each vendor's full flow against the stand-in controller, inline
// validation errors (in French), JavaScript disabled, returning-guest reconnect, and axe-core.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHttp, type RunningHttp } from "../../../agent/http/server.ts";
import { hasChromium, openBrowser, type BrowserSession } from "./browser-session.ts";
import { portalHarness, type PortalHarness } from "./portal-harness.ts";
import { startStandInController, type StandInController } from "./stand-in-controller.ts";

if (!hasChromium)
  console.warn(
    "portal browser tests skipped: /usr/bin/chromium is missing (install the Debian package `chromium`)",
  );

const unifiGuest = "1c:71:25:63:e4:24";

describe.skipIf(!hasChromium)("captive portal in Chromium", () => {
  let controller: StandInController;
  let h: PortalHarness;
  let http: RunningHttp;
  let browser: BrowserSession;
  let portal: string;
  let currentMac = "";
  /** The guest's device: its MAC, as the NAS reports it for the browser's address (127.0.0.1). */
  const useDevice = (mac: string) => {
    currentMac = mac;
    h.observe("127.0.0.1", mac);
  };
  const a11y: Record<string, unknown[]> = {};

  beforeAll(async () => {
    controller = await startStandInController({
      unifiFlavor: "unifi-os",
      unifiUser: { username: "portal", password: "controller-pass" },
      unifiGuests: new Set([unifiGuest]),
      // The controller's RADIUS Access-Request: Calling-Station-Id is the guest's MAC.
      verifyCredential: (u, p) => h.credentials.consume(u, p, h.hashMac(currentMac)).ok,
    });
    h = portalHarness({
      fields: { name: "optional", phone: "optional" },
      termsUrl: "https://venue.example/terms",
      continueHosts: ["127.0.0.1"],
      meraki: { allowedHosts: ["127.0.0.1"] },
      aruba: { allowedHosts: ["127.0.0.1"], loginScheme: "http" },
      unifi: {
        url: controller.origin,
        username: "portal",
        password: "controller-pass",
        minutes: 240,
        upKbps: 1024,
        downKbps: 4096,
        megabytes: 500,
      },
    });
    http = await startHttp(h.app, "127.0.0.1", 0);
    portal = `http://127.0.0.1:${http.port}`;
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await controller?.close();
    h?.close();
  });
  beforeEach(async () => {
    await browser.context.clearCookies();
    controller.requests.length = 0;
    h.drain();
  });

  async function checkA11y(page: Page, name: string): Promise<void> {
    a11y[name] = await browser.seriousViolations(page);
    expect(a11y[name], `axe serious/critical violations on ${name}`).toEqual([]);
  }

  async function fillForm(page: Page, consent: { analytics?: boolean } = {}): Promise<void> {
    await page.getByRole("textbox", { name: "Email address" }).fill("ana@example.com");
    await page.getByLabel(/^Name/).fill("Ana Lima");
    await page.getByLabel("I accept the terms of use").check();
    if (consent.analytics) await page.getByLabel("Help us improve with analytics").check();
  }

  function expectLoginEvents(vendor: string, consent: Record<string, boolean>): void {
    const [identify, track, ...rest] = h.drain();
    expect(rest).toEqual([]);
    const macHash = h.hashMac(currentMac);
    expect(identify).toMatchObject({
      type: "identify",
      anonymousId: macHash,
      traits: { email: "ana@example.com", name: "Ana Lima" },
      context: { consent: { categoryPreferences: consent } },
    });
    expect(track).toMatchObject({
      type: "track",
      event: "WiFi Login Completed",
      anonymousId: macHash,
      properties: { vendor, method: "form" },
      context: { consent: { categoryPreferences: consent } },
    });
    expect((track!.context as { externalIds: unknown[] }).externalIds[0]).toMatchObject({
      id: macHash,
      type: "wifi_mac",
      encoding: "hmac-sha256",
    });
  }

  it("Meraki click-through: welcome → form → grant URL with continue_url and duration → destination", async () => {
    useDevice("00:18:0a:13:dd:01");
    const q = new URLSearchParams({
      base_grant_url: `${controller.origin}/splash/grant`,
      user_continue_url: `${controller.origin}/destination`,
      node_mac: "00:18:0a:13:dd:b0",
      client_ip: "10.162.50.40",
      client_mac: currentMac,
    });
    const page = await browser.page();
    await page.goto(`${portal}/portal?${q}`);
    expect(await page.locator("h1").textContent()).toBe("Welcome");
    await browser.screenshot(page, "01-welcome");
    await checkA11y(page, "welcome");
    await page.getByRole("link", { name: "Get online" }).click();
    expect(await page.locator("h1").textContent()).toBe("Connect to the WiFi");
    for (const box of ["consent_marketing", "consent_analytics", "consent_advertising", "terms"])
      expect(await page.locator(`#${box}`).isChecked(), `${box} unticked by default`).toBe(false);
    await browser.screenshot(page, "02-form");
    await checkA11y(page, "form");
    await fillForm(page, { analytics: true });
    await page.getByRole("button", { name: "Connect" }).click();
    await page.waitForURL(`${controller.origin}/destination`);
    const grant = controller.requests.find((r) => r.path === "/splash/grant");
    expect(grant?.query).toEqual({
      continue_url: `${controller.origin}/destination`,
      duration: "43200",
    });
    expectLoginEvents("meraki-click", { Marketing: false, Analytics: true, Advertising: false });
    await page.close();
  });

  it("Meraki sign-on: one-time credentials posted to login_url, then the success page", async () => {
    useDevice("f4:5c:89:9b:17:67");
    const q = new URLSearchParams({
      login_url: `${controller.origin}/splash/login?mauth=MM1SZ`,
      continue_url: `${controller.origin}/destination`,
      ap_mac: "88:15:44:60:1c:1a",
      client_mac: currentMac,
      client_ip: "192.168.0.13",
    });
    const page = await browser.page();
    await page.goto(`${portal}/portal/form?${q}`);
    await fillForm(page);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.waitForURL(/\/portal\/success/);
    const login = controller.requests.find((r) => r.path === "/splash/login");
    expect(login?.query).toEqual({ mauth: "MM1SZ" });
    expect(Object.keys(login?.form ?? {}).sort()).toEqual(["password", "success_url", "username"]);
    expect(login?.form.success_url).toBe(
      `${portal}/portal/success?continue_url=${encodeURIComponent(`${controller.origin}/destination`)}`,
    );
    // The stand-in's RADIUS check consumed the credential: a replay is refused.
    expect(
      h.credentials.consume(login!.form.username!, login!.form.password!, h.hashMac(currentMac)),
    ).toEqual({ ok: false, reason: "already_used" });
    expect(await page.locator("h1").textContent()).toBe("You are online");
    expect(await page.getByRole("link", { name: "Disconnect" }).getAttribute("href")).toBe(
      `${controller.origin}/splash/logout?key=stand-in`,
    );
    await browser.screenshot(page, "05-success");
    await checkA11y(page, "success");
    expectLoginEvents("meraki-signon", { Marketing: false, Analytics: false, Advertising: false });
    await page.close();
  });

  it("UniFi OS: the portal authorizes the guest through the controller API, then the destination", async () => {
    useDevice(unifiGuest);
    const q = new URLSearchParams({
      ap: "94:2a:6f:d0:30:57",
      id: currentMac,
      t: "1742398732",
      url: `${controller.origin}/destination`,
      ssid: "Guest",
    });
    const page = await browser.page();
    await page.goto(`${portal}/guest/s/default/?${q}`);
    await page.getByRole("link", { name: "Get online" }).click();
    await fillForm(page);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.waitForURL(`${controller.origin}/destination`);
    const cmd = controller.requests.find(
      (r) => r.path === "/proxy/network/api/s/default/cmd/stamgr",
    );
    expect(cmd?.json).toEqual({
      cmd: "authorize-guest",
      mac: unifiGuest,
      minutes: 240,
      up: 1024,
      down: 4096,
      bytes: 500,
      ap_mac: "94:2a:6f:d0:30:57",
    });
    expectLoginEvents("unifi", { Marketing: false, Analytics: false, Advertising: false });
    await page.close();
  });

  it("Aruba with JavaScript disabled: the guest taps the hand-off button that posts to /cgi-bin/login", async () => {
    useDevice("9c:2e:a1:35:c0:d5");
    const q = new URLSearchParams({
      cmd: "login",
      mac: currentMac,
      essid: "affinect",
      ip: "172.31.98.220",
      apmac: "b4:5d:50:ca:81:ea",
      switchip: new URL(controller.origin).host,
      url: `${controller.origin}/destination`,
    });
    const page = await browser.page({ javaScript: false });
    await page.goto(`${portal}/portal?${q}`);
    await page.getByRole("link", { name: "Get online" }).click();
    await fillForm(page);
    await page.getByRole("button", { name: "Connect" }).click();
    expect(await page.locator("h1").textContent()).toBe("Almost there");
    await browser.screenshot(page, "04-handoff-no-js");
    expect(controller.requests.some((r) => r.path === "/cgi-bin/login")).toBe(false);
    await page.getByRole("button", { name: "Finish connecting" }).click();
    await page.waitForURL(`${controller.origin}/destination`);
    const login = controller.requests.find((r) => r.path === "/cgi-bin/login");
    expect(login?.form).toMatchObject({
      cmd: "authenticate",
      mac: currentMac,
      ip: "172.31.98.220",
      essid: "affinect",
      url: `${controller.origin}/destination`,
    });
    expect(login?.form.user).toMatch(/^g-/);
    expectLoginEvents("aruba", { Marketing: false, Analytics: false, Advertising: false });
    await page.close();
  });

  it("shows inline errors that say what to fix (French), keeps the input, then succeeds", async () => {
    useDevice("00:18:0a:13:dd:02");
    const q = new URLSearchParams({
      base_grant_url: `${controller.origin}/splash/grant`,
      user_continue_url: `${controller.origin}/destination`,
      client_mac: currentMac,
    });
    const page = await browser.page({ acceptLanguage: "fr-FR,fr;q=0.9,en;q=0.5" });
    await page.goto(`${portal}/portal/form?${q}`);
    await page.getByRole("textbox", { name: "Adresse e-mail" }).fill("ana@");
    await page.getByLabel(/^Téléphone mobile/).fill("0612");
    await page.getByRole("button", { name: "Se connecter" }).click();
    expect(await page.locator(".summary li").allTextContents()).toEqual([
      "Saisissez une adresse e-mail comme nom@exemple.fr",
      "Saisissez un numéro avec l'indicatif du pays, comme +33 6 12 34 56 78",
      "Acceptez les conditions d'utilisation pour vous connecter",
    ]);
    expect(await page.locator("#email").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#email").inputValue()).toBe("ana@");
    expect(await page.locator("#email").getAttribute("aria-describedby")).toBe(
      "email-hint email-error",
    );
    await browser.screenshot(page, "03-form-errors-fr");
    await checkA11y(page, "form-errors");
    expect(controller.requests).toEqual([]);
    expect(h.drain()).toEqual([]);
    await page.getByRole("textbox", { name: "Adresse e-mail" }).fill("ana@example.com");
    await page.getByLabel(/^Téléphone mobile/).fill("+33 6 12 34 56 78");
    await page.getByLabel("J'accepte les conditions").check();
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(`${controller.origin}/destination`);
    const [identify] = h.drain();
    expect(identify?.traits).toEqual({ email: "ana@example.com", phone: "+33612345678" });
    expect(identify?.context).toMatchObject({ locale: "fr" });
    await page.close();
  });

  it("offers one-tap reconnect to a returning guest (cookie, or MAC within the window); an unknown randomized MAC gets the form", async () => {
    useDevice("00:18:0a:13:dd:03");
    const arrive = (mac: string) =>
      `${portal}/portal?${new URLSearchParams({ base_grant_url: `${controller.origin}/splash/grant`, user_continue_url: `${controller.origin}/destination`, client_mac: mac })}`;
    const page = await browser.page();
    await page.goto(arrive(currentMac));
    await page.getByRole("link", { name: "Get online" }).click();
    await fillForm(page, { analytics: true });
    await page.getByRole("button", { name: "Connect" }).click();
    await page.waitForURL(`${controller.origin}/destination`);
    h.drain();

    // Same device, cookie gone (a captive-network assistant often has no cookie jar): the MAC.
    await browser.context.clearCookies();
    await page.goto(arrive(currentMac));
    expect(await page.locator("h1").textContent()).toBe("Welcome back");
    await browser.screenshot(page, "06-reconnect");
    await checkA11y(page, "reconnect");
    await page.getByRole("button", { name: "Reconnect" }).click();
    await page.waitForURL(`${controller.origin}/destination`);
    const [track, ...none] = h.drain();
    expect(none).toEqual([]);
    expect(track).toMatchObject({
      event: "WiFi Login Completed",
      properties: { method: "reconnect", returning: true },
      context: {
        consent: { categoryPreferences: { Analytics: true, Marketing: false, Advertising: false } },
      },
    });

    // A new randomized MAC on a browser that has the cookie: recognised by the cookie.
    useDevice("da:a1:19:00:00:01");
    await page.goto(arrive(currentMac));
    expect(await page.locator("h1").textContent()).toBe("Welcome back");

    // A randomized MAC never seen, without the cookie: the form.
    await browser.context.clearCookies();
    useDevice("da:a1:19:00:00:02");
    await page.goto(arrive(currentMac));
    expect(await page.locator("h1").textContent()).toBe("Welcome");
    await page.close();
  });

  it("answers a forged grant URL with an error page and contacts no controller", async () => {
    const q = new URLSearchParams({
      base_grant_url: "https://evil.example/splash/grant",
      client_mac: "00:18:0a:13:dd:04",
    });
    const page = await browser.page();
    const res = await page.goto(`${portal}/portal?${q}`);
    expect(res?.status()).toBe(400);
    expect(await page.getByRole("alert").textContent()).toContain(
      "must be opened from the WiFi network's sign-in page",
    );
    await browser.screenshot(page, "07-bad-redirect");
    await checkA11y(page, "error");
    expect(controller.requests).toEqual([]);
    await page.close();
  });
});

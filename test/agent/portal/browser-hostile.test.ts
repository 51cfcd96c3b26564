// A hostile guest name and venue name in a real browser (Debian chromium via playwright-core):
// they render as text, create no element and run no script. The CSP would also block inline
// handlers; the DOM checks below fail on their own if escaping ever breaks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttp, type RunningHttp } from "../../../agent/http/server.ts";
import { hasChromium, openBrowser, type BrowserSession } from "./browser-session.ts";
import { portalHarness, type PortalHarness } from "./portal-harness.ts";

const HOSTILE_NAME = `"><img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const HOSTILE_VENUE = `</title><svg onload="window.pwned=3"></svg>`;

describe.skipIf(!hasChromium)("hostile input in Chromium", () => {
  let h: PortalHarness;
  let http: RunningHttp;
  let browser: BrowserSession;

  beforeAll(async () => {
    h = portalHarness({ fields: { name: "optional", phone: "off" } }, { venueName: HOSTILE_VENUE });
    http = await startHttp(h.app, "127.0.0.1", 0);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    h?.close();
  });

  it("a guest name re-rendered after a bad email stays text, and no script runs", async () => {
    const page = await browser.page();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const q = new URLSearchParams({
      base_grant_url: "https://n143.network-auth.com/splash/grant",
      client_mac: "f4:5c:89:9b:17:67",
    });
    await page.goto(`http://127.0.0.1:${http.port}/portal/form?${q}`);
    await page.getByRole("textbox", { name: "Email address" }).fill("not-an-email");
    await page.getByLabel(/^Name/).fill(HOSTILE_NAME);
    await page.getByLabel("I accept the terms of use").check();
    await page.getByRole("button", { name: "Connect" }).click();
    await page.waitForSelector(".summary");
    await browser.screenshot(page, "hostile-name");

    expect(await page.getByLabel(/^Name/).inputValue()).toBe(HOSTILE_NAME);
    expect(await page.title()).toBe(`Connect to the WiFi · ${HOSTILE_VENUE}`);
    expect(await page.locator(".venue").textContent()).toBe(HOSTILE_VENUE);
    // A string expression: the node project's types have no DOM lib.
    const dom = await page.evaluate(
      `({ injected: document.querySelectorAll("img, svg, body script").length, pwned: globalThis.pwned ?? null })`,
    );
    expect(dom).toEqual({ injected: 0, pwned: null });
    expect(dialogs).toEqual([]);
    expect(h.drain()).toEqual([]);
    await page.close();
  });
});

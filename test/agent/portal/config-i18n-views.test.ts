import { describe, expect, it } from "vitest";
import { portalConfigSchema } from "../../../agent/portal/config.ts";
import { negotiateLocale } from "../../../agent/portal/i18n/negotiate.ts";
import { en } from "../../../agent/portal/i18n/en.ts";
import { fr } from "../../../agent/portal/i18n/fr.ts";
import { contrastRatio } from "../../../agent/portal/theme/contrast.ts";
import { escapeHtml, html, SafeHtml } from "../../../agent/portal/views/safe-html.ts";

const secret = "p".repeat(32);

describe("negotiateLocale (RFC 9110 §12.5.4)", () => {
  it.each([
    [undefined, "en"],
    ["", "en"],
    ["fr-FR,fr;q=0.9,en;q=0.8", "fr"],
    ["fr-CA", "fr"],
    ["de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr"],
    ["en;q=0.2, fr;q=0.8", "fr"],
    ["fr;q=0, en", "en"],
    ["de, *;q=0.5", "en"],
    ["DE-de, FR", "fr"],
    ["xx;q=abc, fr", "fr"],
  ])("%j -> %s", (header, expected) => {
    expect(negotiateLocale(header, "en")).toBe(expected);
  });
  it("falls back to the venue's default", () => expect(negotiateLocale("de", "fr")).toBe("fr"));
});

describe("translations", () => {
  it("French has every English key and every form error", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(fr.errors).sort()).toEqual(Object.keys(en.errors).sort());
    expect(Object.values(fr.errors).every((m) => m.length > 0)).toBe(true);
  });
});

describe("contrast (WCAG 2.2)", () => {
  it("matches the reference ratios", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#ffffff")).toBeCloseTo(1, 5);
    expect(contrastRatio("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
  });
});

describe("portalConfigSchema", () => {
  it("fills safe defaults from a secret alone", () => {
    const c = portalConfigSchema.parse({ secret });
    expect(c.fields).toEqual({ name: "optional", phone: "off" });
    expect(c.meraki.allowedHosts).toEqual([{ host: "network-auth.com", wildcard: true }]);
    expect(c.aruba.allowedHosts.map((h) => h.host)).toEqual([
      "securelogin.arubanetworks.com",
      "cloudauth.net",
    ]);
    expect(c.theme.colors.primary).toBe("#0b5cad");
    expect(c.consentCategories).toEqual({
      marketingEmail: "Marketing",
      analytics: "Analytics",
      advertising: "Advertising",
    });
  });

  it.each([
    [{}, "secret"],
    [{ secret: "short" }, "secret"],
    [{ secret, theme: { colors: { text: "#eeeeee" } } }, "theme.colors.text"],
    [{ secret, theme: { colors: { primary: "#ffff00" } } }, "theme.colors.primaryText"],
    [{ secret, theme: { colors: { primary: "red" } } }, "theme.colors.primary"],
    [{ secret, theme: { logoUrl: "javascript:alert(1)" } }, "theme.logoUrl"],
    [{ secret, meraki: { allowedHosts: ["https://evil.example"] } }, "meraki.allowedHosts.0"],
    [{ secret, unifi: { url: "ftp://x", username: "u", password: "p" } }, "unifi.url"],
    [
      { secret, unifi: { url: "https://unifi:8443", username: "u", password: "p", site: "../x" } },
      "unifi.site",
    ],
    [{ secret, fields: { phone: "sometimes" } }, "fields.phone"],
    [{ secret, surprise: true }, ""],
  ])("refuses %j at %s", (input, at) => {
    const r = portalConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toContain(at);
  });
});

describe("html template", () => {
  it("escapes interpolated text and attributes but keeps nested fragments", () => {
    const name = `"><script>alert('x')</script>`;
    // Prettier formats `html` templates as HTML; this one must stay byte-exact.
    // prettier-ignore
    const out = html`<p title="${name}">${name}${html`<b>ok</b>`}${[html`<i>1</i>`, "<2>"]}${null}${false}${undefined}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe(
      `<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<b>ok</b><i>1</i>&lt;2&gt;</p>`,
    );
    expect(escapeHtml("a&b")).toBe("a&amp;b");
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseHostPattern } from "../../../agent/portal/security/allowed-hosts.ts";
import {
  ArrivalError,
  detectArrival,
  UNIFI_SITE_PARAM,
} from "../../../agent/portal/vendors/arrival.ts";

const fixtures = JSON.parse(
  readFileSync(new URL("../../fixtures/portal/splash-redirects.json", import.meta.url), "utf8"),
) as Record<string, { query: string }>;
const q = (name: string) => new URLSearchParams(fixtures[name]!.query);
const policy = {
  merakiHosts: [parseHostPattern("*.network-auth.com")],
  arubaHosts: [
    parseHostPattern("securelogin.arubanetworks.com"),
    parseHostPattern("*.cloudauth.net"),
  ],
  arubaScheme: "https" as const,
};

function rejects(params: URLSearchParams, field: string, message: RegExp): void {
  let caught: unknown;
  try {
    detectArrival(params, policy);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ArrivalError);
  expect((caught as ArrivalError).field).toBe(field);
  expect((caught as ArrivalError).message).toMatch(message);
}

describe("detectArrival on documented redirects and real captures", () => {
  it("Meraki click-through (doc sample)", () => {
    expect(detectArrival(q("merakiClickDoc"), policy)).toEqual({
      vendor: "meraki-click",
      grantUrl: "https://n143.network-auth.com/splash/grant",
      clientMac: "ff:ff:96:d5:d5:01",
      clientIp: "10.162.50.40",
      apMac: "00:18:0a:13:dd:b0",
      continueUrl: "http://meraki.com/",
    });
  });

  it("Meraki click-through (MR capture, parameters in another order)", () => {
    const a = detectArrival(q("merakiClickCapture"), policy);
    expect(a).toMatchObject({
      vendor: "meraki-click",
      grantUrl: "https://n93.network-auth.com/splash/grant",
      clientMac: "42:ae:4c:c0:73:a2",
      continueUrl: "https://n93.network-auth.com/splash/connected?hide_terms=true",
    });
  });

  it("Meraki sign-on keeps login_url's own query (mauth token)", () => {
    const a = detectArrival(q("merakiSignOnDoc"), policy);
    expect(a.vendor).toBe("meraki-signon");
    if (a.vendor !== "meraki-signon") return;
    expect(new URL(a.loginUrl).searchParams.get("mauth")).toBe("MM1SZ...");
    expect(a).toMatchObject({
      clientMac: "f4:5c:89:9b:17:67",
      apMac: "88:15:44:60:1c:1a",
      clientIp: "192.168.0.13",
      continueUrl: "http://www.ask.com/",
    });
  });

  it("UniFi (doc sample and Android capture) with the site from the path", () => {
    for (const name of ["unifiDoc", "unifiAndroidCapture"]) {
      const params = q(name);
      params.set(UNIFI_SITE_PARAM, "default");
      expect(detectArrival(params, policy)).toMatchObject({ vendor: "unifi", site: "default" });
    }
    const params = q("unifiDoc");
    params.set(UNIFI_SITE_PARAM, "default");
    expect(detectArrival(params, policy)).toEqual({
      vendor: "unifi",
      site: "default",
      clientMac: "1c:71:25:63:e4:24",
      apMac: "94:2a:6f:d0:30:57",
      ssid: "Guest",
      continueUrl: "http://example.com/",
    });
  });

  it("Aruba Instant (switchip) and Instant On (post, network)", () => {
    expect(detectArrival(q("arubaInstantCapture"), policy)).toEqual({
      vendor: "aruba",
      loginHost: "securelogin.arubanetworks.com",
      clientMac: "9c:2e:a1:35:c0:d5",
      clientIp: "172.31.98.220",
      apMac: "b4:5d:50:ca:81:ea",
      essid: "affinect",
      continueUrl: "http://connect.rom.miui.com/generate_204",
    });
    expect(detectArrival(q("arubaInstantOnCapture"), policy)).toMatchObject({
      vendor: "aruba",
      loginHost: "captive-2020.aio.cloudauth.net",
      clientMac: "f2:62:e7:99:63:c6",
      essid: "wifi.ten",
    });
  });
});

describe("detectArrival refuses bad redirects with the parameter at fault", () => {
  it("no vendor parameters at all", () =>
    rejects(new URLSearchParams("foo=bar"), "query", /sign-in/));

  it("a grant URL on a host Meraki does not use (open redirect)", () => {
    const p = q("merakiClickDoc");
    p.set("base_grant_url", "https://evil.example/splash/grant");
    rejects(p, "base_grant_url", /allowed host/);
  });

  it("a login URL with a javascript: scheme", () => {
    const p = q("merakiSignOnDoc");
    p.set("login_url", "javascript:alert(1)");
    rejects(p, "login_url", /allowed host/);
  });

  it("a repeated parameter (parameter pollution)", () => {
    const p = q("merakiClickDoc");
    p.append("base_grant_url", "https://evil.example/");
    rejects(p, "base_grant_url", /more than once/);
  });

  it.each([
    ["merakiClickDoc", "client_mac"],
    ["merakiSignOnDoc", "client_mac"],
    ["arubaInstantCapture", "mac"],
  ])("%s without a client MAC", (name, field) => {
    const p = q(name);
    p.delete(field);
    rejects(p, field, /missing/);
  });

  it("a client MAC that is not a MAC", () => {
    const p = q("merakiClickDoc");
    p.set("client_mac", "ff:ff:96:d5:d5");
    rejects(p, "client_mac", /not a MAC/);
  });

  it("a client IP with markup in it", () => {
    const p = q("merakiClickDoc");
    p.set("client_ip", "<script>");
    rejects(p, "client_ip", /not an IP/);
  });

  it("a UniFi site name with a path in it", () => {
    const p = q("unifiDoc");
    p.set(UNIFI_SITE_PARAM, "../../api");
    rejects(p, "site", /site name/);
  });

  it("a UniFi redirect without the client id", () => {
    const p = q("unifiDoc");
    p.set(UNIFI_SITE_PARAM, "default");
    p.delete("id");
    rejects(p, "id", /missing/);
  });

  it.each([
    ["evil.example", "switchip"],
    ["securelogin.arubanetworks.com@evil.example", "switchip"],
    ["securelogin.arubanetworks.com/../x", "switchip"],
    ["evil.example#.cloudauth.net", "switchip"],
  ])("an Aruba login host %j", (host, field) => {
    const p = q("arubaInstantCapture");
    p.set("switchip", host);
    rejects(p, field, /allowed Aruba login host/);
  });

  it("an Aruba redirect without switchip or post", () => {
    const p = q("arubaInstantCapture");
    p.delete("switchip");
    rejects(p, "switchip", /missing/);
  });
});

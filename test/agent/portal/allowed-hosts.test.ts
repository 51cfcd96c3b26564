import { describe, expect, it } from "vitest";
import {
  HostPatternError,
  allowedUrl,
  parseHostPattern,
} from "../../../agent/portal/security/allowed-hosts.ts";

const meraki = [parseHostPattern("*.network-auth.com")];
const exact = [parseHostPattern("securelogin.arubanetworks.com")];
const withPort = [parseHostPattern("192.168.1.1:8443")];

describe("parseHostPattern", () => {
  it.each([
    ["n143.network-auth.com", { host: "n143.network-auth.com", wildcard: false }],
    ["*.network-auth.com", { host: "network-auth.com", wildcard: true }],
    [
      "  SecureLogin.ArubaNetworks.COM. ",
      { host: "securelogin.arubanetworks.com", wildcard: false },
    ],
    ["192.168.1.1:8443", { host: "192.168.1.1", wildcard: false, port: 8443 }],
    ["127.0.0.1", { host: "127.0.0.1", wildcard: false }],
    ["[fd00:0:0::1]:8443", { host: "[fd00::1]", wildcard: false, port: 8443 }],
  ])("parses %j", (text, expected) => {
    expect(parseHostPattern(text)).toEqual(expected);
  });

  it.each([
    ["https://n1.network-auth.com", /not a URL/],
    ["n1.network-auth.com/splash", /not a URL/],
    ["*", /not a valid host|"\*"/],
    ["*.com", /wildcard needs a domain/],
    ["a.*.com", /only as/],
    ["**.example.com", /only as/],
    ["-bad.example.com", /not a valid host/],
    ["exa mple.com", /not a valid host/],
    ["", /not a valid host/],
    ["host:0", /port/],
    ["host:70000", /port/],
    ["[zz::1]", /IPv6/],
    ["évil.com", /not a valid host/],
  ])("rejects %j", (text, message) => {
    expect(() => parseHostPattern(text)).toThrow(HostPatternError);
    expect(() => parseHostPattern(text)).toThrow(message);
  });
});

describe("allowedUrl: accepts the vendor's own hosts", () => {
  it.each([
    "https://n143.network-auth.com/splash/grant",
    "https://n93.network-auth.com/splash/connected?hide_terms=true",
    "https://N143.Network-Auth.COM/splash/grant",
    "https://n143.network-auth.com./splash/grant",
    "http://n143.network-auth.com/splash/grant",
    "https://a.b.network-auth.com/x",
    "https://n1%2Enetwork-auth.com/x",
  ])("%s", (url) => {
    expect(allowedUrl(url, meraki)).not.toBeNull();
  });

  it("keeps the query string of the accepted URL", () => {
    expect(allowedUrl("https://n1.network-auth.com/splash/login?mauth=MM1&x=1", meraki)?.href).toBe(
      "https://n1.network-auth.com/splash/login?mauth=MM1&x=1",
    );
  });

  it("matches an exact host on any port, a host:port pattern only on that port", () => {
    expect(
      allowedUrl("https://securelogin.arubanetworks.com:4343/cgi-bin/login", exact),
    ).not.toBeNull();
    expect(allowedUrl("https://192.168.1.1:8443/x", withPort)).not.toBeNull();
    expect(allowedUrl("https://192.168.1.1/x", withPort)).toBeNull();
    expect(allowedUrl("https://192.168.1.1:8444/x", withPort)).toBeNull();
    expect(
      allowedUrl("http://192.168.1.1:443/x", [parseHostPattern("192.168.1.1:443")]),
    ).not.toBeNull();
    expect(
      allowedUrl("https://192.168.1.1/x", [parseHostPattern("192.168.1.1:443")]),
    ).not.toBeNull();
  });
});

describe("allowedUrl: refuses everything else (no open redirect)", () => {
  it.each([
    ["apex of a wildcard", "https://network-auth.com/splash/grant"],
    ["suffix trick", "https://n143.network-auth.com.evil.com/splash/grant"],
    ["lookalike without dot", "https://evilnetwork-auth.com/splash/grant"],
    ["host in the query", "https://evil.com/?u=n1.network-auth.com"],
    ["host in the path", "https://evil.com/n1.network-auth.com"],
    ["host in the fragment", "https://evil.com#n1.network-auth.com"],
    ["userinfo naming the good host", "https://n1.network-auth.com@evil.com/"],
    ["userinfo on a good host", "https://user:pw@n1.network-auth.com/"],
    ["backslash trick", "https://evil.com\\@n1.network-auth.com/"],
    ["protocol-relative", "//n1.network-auth.com/splash/grant"],
    ["relative path", "/splash/grant"],
    ["javascript scheme", "javascript:alert(1)//n1.network-auth.com"],
    ["data scheme", "data:text/html,<script>alert(1)</script>"],
    ["ftp scheme", "ftp://n1.network-auth.com/"],
    ["missing slashes", "https:n1.network-auth.com/"],
    ["cyrillic lookalike (punycode)", "https://n1.network-аuth.com/"],
    ["empty", ""],
    ["not a URL", "https://"],
    ["over 2048 characters", `https://n1.network-auth.com/${"a".repeat(2048)}`],
    ["tab inside the host", "https://evil.com\tnetwork-auth.com/"],
    ["IP instead of name", "https://216.157.133.143/splash/grant"],
  ])("%s", (_label, url) => {
    expect(allowedUrl(url, meraki)).toBeNull();
  });

  it("refuses every URL when no host is allowed", () => {
    expect(allowedUrl("https://n1.network-auth.com/", [])).toBeNull();
  });

  it("does not let a wildcard for one domain match another configured exact host's subdomain", () => {
    expect(allowedUrl("https://x.securelogin.arubanetworks.com/", exact)).toBeNull();
  });

  it("normalizes numeric IPv4 forms before matching, so they match only the real address", () => {
    const loopback = [parseHostPattern("127.0.0.1")];
    expect(allowedUrl("http://0x7f.0.0.1/", loopback)?.hostname).toBe("127.0.0.1");
    expect(allowedUrl("http://2130706433/", loopback)?.hostname).toBe("127.0.0.1");
    expect(allowedUrl("http://127.0.0.2/", loopback)).toBeNull();
  });
});

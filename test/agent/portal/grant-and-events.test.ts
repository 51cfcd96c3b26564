import { describe, expect, it } from "vitest";
import { portalConfigSchema } from "../../../agent/portal/config.ts";
import {
  formLoginMessages,
  reconnectMessages,
  type LoginEventInput,
} from "../../../agent/portal/events/login-events.ts";
import type { Arrival } from "../../../agent/portal/vendors/arrival.ts";
import {
  allowedContinue,
  grantAccess,
  type GrantDeps,
} from "../../../agent/portal/vendors/grant.ts";

const config = portalConfigSchema.parse({
  secret: "x".repeat(32),
  continueHosts: ["venue.example"],
});
const issued: { macHash: string; ttl: number }[] = [];
const unifiCalls: Arrival[] = [];
const deps: GrantDeps = {
  config,
  macHash: "h".repeat(64),
  successUrl: "http://portal.local/portal/success",
  issueCredential: (macHash, ttl) => {
    issued.push({ macHash, ttl });
    return { username: "g-user", password: "pw" };
  },
  authorizeUnifi: (a) => {
    unifiCalls.push(a);
    return Promise.resolve();
  },
};
const base = { clientMac: "f4:5c:89:9b:17:67" };

describe("grantAccess", () => {
  it("Meraki click-through keeps base_grant_url's query and adds continue_url and duration", async () => {
    const step = await grantAccess(
      {
        ...base,
        vendor: "meraki-click",
        grantUrl: "https://n1.network-auth.com/splash/grant?x=1",
        continueUrl: "https://n1.network-auth.com/splash/connected?hide_terms=true",
      },
      deps,
    );
    expect(step).toEqual({
      kind: "redirect",
      location:
        "https://n1.network-auth.com/splash/grant?x=1&continue_url=https%3A%2F%2Fn1.network-auth.com%2Fsplash%2Fconnected%3Fhide_terms%3Dtrue&duration=43200",
    });
  });

  it("Meraki sign-on posts a MAC-bound one-time credential and success_url", async () => {
    issued.length = 0;
    const step = await grantAccess(
      {
        ...base,
        vendor: "meraki-signon",
        loginUrl: "https://n1.network-auth.com/splash/login?mauth=M",
        continueUrl: "https://venue.example/",
      },
      deps,
    );
    expect(step).toEqual({
      kind: "post",
      action: "https://n1.network-auth.com/splash/login?mauth=M",
      fields: [
        ["username", "g-user"],
        ["password", "pw"],
        [
          "success_url",
          "http://portal.local/portal/success?continue_url=https%3A%2F%2Fvenue.example%2F",
        ],
      ],
    });
    expect(issued).toEqual([{ macHash: deps.macHash, ttl: 600 }]);
  });

  it("Aruba posts user/password/cmd=authenticate and the client fields to the login host", async () => {
    const step = await grantAccess(
      {
        ...base,
        vendor: "aruba",
        loginHost: "securelogin.arubanetworks.com",
        clientIp: "10.0.0.2",
        essid: "Guest",
        continueUrl: "http://evil.example/",
      },
      deps,
    );
    expect(step).toEqual({
      kind: "post",
      action: "https://securelogin.arubanetworks.com/cgi-bin/login",
      fields: [
        ["user", "g-user"],
        ["password", "pw"],
        ["cmd", "authenticate"],
        ["mac", base.clientMac],
        ["ip", "10.0.0.2"],
        ["essid", "Guest"],
        ["url", "http://portal.local/portal/success"],
      ],
    });
  });

  it("UniFi authorizes server-side and continues only to an allowed host", async () => {
    const arrival: Arrival = {
      ...base,
      vendor: "unifi",
      site: "default",
      continueUrl: "https://venue.example/menu",
    };
    expect(await grantAccess(arrival, deps)).toEqual({
      kind: "granted",
      continueUrl: "https://venue.example/menu",
    });
    expect(unifiCalls.at(-1)).toBe(arrival);
    expect(
      await grantAccess(
        { ...arrival, continueUrl: "http://connectivitycheck.gstatic.com/generate_204" },
        deps,
      ),
    ).toEqual({ kind: "granted" });
  });

  it("allowedContinue admits Meraki's own hosts only for Meraki arrivals", () => {
    const url = "https://n93.network-auth.com/splash/connected";
    expect(
      allowedContinue({ ...base, vendor: "meraki-click", grantUrl: url, continueUrl: url }, config),
    ).toBe(url);
    expect(
      allowedContinue({ ...base, vendor: "unifi", site: "default", continueUrl: url }, config),
    ).toBeUndefined();
  });
});

describe("login events", () => {
  const input: LoginEventInput = {
    loginId: "form-1",
    guestId: "pg_abc",
    mac: { hash: "m".repeat(64), randomized: true },
    venueId: "venue-1",
    vendor: "unifi",
    locale: "fr",
    at: new Date("2026-03-01T12:00:00.000Z"),
    consent: { marketingEmail: true, analytics: false, advertising: false },
    categories: { marketingEmail: "Email", analytics: "Analytics", advertising: "Ads" },
  };

  it("identify carries only what the guest typed; both carry consent under the venue's category names", () => {
    const [identify, track] = formLoginMessages(input, { email: "a@b.co", consent: input.consent });
    expect(identify).toMatchObject({
      type: "identify",
      anonymousId: "m".repeat(64),
      timestamp: "2026-03-01T12:00:00.000Z",
      traits: { email: "a@b.co" },
    });
    expect(Object.keys(identify!.traits!)).toEqual(["email"]);
    for (const m of [identify, track])
      expect(m!.context!.consent).toEqual({
        categoryPreferences: { Email: true, Analytics: false, Ads: false },
      });
    expect(track!.properties).toEqual({
      venueId: "venue-1",
      vendor: "unifi",
      method: "form",
      returning: false,
      macBinding: "confirmed",
      randomizedMac: true,
      source: "portal",
    });
    expect(identify!.messageId).not.toBe(track!.messageId);
  });

  it("a login whose MAC the agent did not confirm carries no MAC: the guest id stands in", () => {
    const [identify, track] = formLoginMessages(
      { ...input, mac: undefined },
      { email: "a@b.co", consent: input.consent },
    );
    for (const m of [identify, track]) {
      expect(m!.anonymousId).toBe("pg_abc");
      expect(m!.context!.externalIds).toEqual([
        { id: "pg_abc", type: "portal_guest", collection: "users", encoding: "none" },
      ]);
    }
    expect(track!.properties).toMatchObject({ macBinding: "unconfirmed" });
    expect(track!.properties).not.toHaveProperty("randomizedMac");
  });

  it("message ids are stable for one form and differ across forms", () => {
    const again = formLoginMessages(input, { email: "a@b.co", consent: input.consent });
    const other = formLoginMessages(
      { ...input, loginId: "form-2" },
      { email: "a@b.co", consent: input.consent },
    );
    expect(again.map((m) => m.messageId)).toEqual(
      formLoginMessages(input, { email: "a@b.co", consent: input.consent }).map((m) => m.messageId),
    );
    expect(other[0]!.messageId).not.toBe(again[0]!.messageId);
  });

  it("a reconnect is one track marked returning", () => {
    const messages = reconnectMessages(input);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      type: "track",
      event: "WiFi Login Completed",
      properties: { method: "reconnect", returning: true },
    });
  });
});

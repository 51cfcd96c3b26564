// What happens after a login is recorded: the vendor-specific step that lets the guest online
// (https://developer.cisco.com/meraki/captive-portal-api/click-through-api, §1.2, §2.2, §3.2). Pure except for the UniFi call and credential issue,
// which come in as functions.
import type { PortalConfig } from "../config.ts";
import { allowedUrl, type HostPattern } from "../security/allowed-hosts.ts";
import type { Arrival } from "./arrival.ts";

export type GrantStep =
  /** Send the browser on (Meraki click-through grant URL). */
  | { kind: "redirect"; location: string }
  /** Show a page whose form posts these fields to the controller (Meraki sign-on, Aruba). */
  | { kind: "post"; action: string; fields: readonly (readonly [string, string])[] }
  /** The portal already authorized the guest (UniFi); go on to `continueUrl` or the success page. */
  | { kind: "granted"; continueUrl?: string };

export interface GrantDeps {
  config: PortalConfig;
  macHash: string;
  /** Absolute URL of the portal's success page. */
  successUrl: string;
  issueCredential(macHash: string, ttlSeconds: number): { username: string; password: string };
  authorizeUnifi(arrival: Extract<Arrival, { vendor: "unifi" }>): Promise<void>;
}

/** Hosts the guest may be sent on to after login for this vendor. */
export function continueHosts(arrival: Arrival, config: PortalConfig): readonly HostPattern[] {
  const vendorHosts = arrival.vendor.startsWith("meraki") ? config.meraki.allowedHosts : [];
  return [...vendorHosts, ...config.continueHosts];
}

/** The guest's original destination when it is on an allowed host, else undefined. */
export function allowedContinue(arrival: Arrival, config: PortalConfig): string | undefined {
  if (arrival.continueUrl === undefined) return undefined;
  return allowedUrl(arrival.continueUrl, continueHosts(arrival, config))?.href;
}

function withParam(base: string, name: string, value: string): string {
  const url = new URL(base);
  url.searchParams.set(name, value);
  return url.href;
}

/**
 * Decides (and for UniFi performs) the grant for a recorded login.
 * @throws UnifiGrantError from `authorizeUnifi`.
 */
export async function grantAccess(arrival: Arrival, deps: GrantDeps): Promise<GrantStep> {
  const { config } = deps;
  const onward = allowedContinue(arrival, config);
  switch (arrival.vendor) {
    case "meraki-click": {
      // Meraki: GET base_grant_url?continue_url=…&duration=… (click-through API).
      const grant = new URL(arrival.grantUrl);
      grant.searchParams.set("continue_url", onward ?? deps.successUrl);
      grant.searchParams.set("duration", String(config.meraki.durationSeconds));
      return { kind: "redirect", location: grant.href };
    }
    case "meraki-signon": {
      const cred = deps.issueCredential(deps.macHash, config.credentialTtlSeconds);
      const success = onward ? withParam(deps.successUrl, "continue_url", onward) : deps.successUrl;
      return {
        kind: "post",
        action: arrival.loginUrl,
        fields: [
          ["username", cred.username],
          ["password", cred.password],
          ["success_url", success],
        ],
      };
    }
    case "aruba": {
      const cred = deps.issueCredential(deps.macHash, config.credentialTtlSeconds);
      const fields: [string, string][] = [
        ["user", cred.username],
        ["password", cred.password],
        ["cmd", "authenticate"],
        ["mac", arrival.clientMac],
      ];
      if (arrival.clientIp !== undefined) fields.push(["ip", arrival.clientIp]);
      if (arrival.essid !== undefined) fields.push(["essid", arrival.essid]);
      fields.push(["url", onward ?? deps.successUrl]);
      return {
        kind: "post",
        action: `${config.aruba.loginScheme}://${arrival.loginHost}${config.aruba.loginPath}`,
        fields,
      };
    }
    case "unifi":
      await deps.authorizeUnifi(arrival);
      return onward === undefined ? { kind: "granted" } : { kind: "granted", continueUrl: onward };
  }
}

// Access-Request decisions (PAP only): a portal-issued one-time credential, or MAC authorization
// for a returning guest (User-Name = the device's MAC, as Meraki/Aruba/UniFi MAC-auth send it).
import type { MacIdentity } from "../controllers/deps.ts";
import { looksLikeMac, normalizeMac } from "../mac/normalize.ts";
import {
  ATTR,
  WISPR,
  WISPR_VENDOR,
  readText,
  uint32Attribute,
  vendorUint32Attribute,
} from "./attributes.ts";
import { decryptPapPassword } from "./authenticators.ts";
import type { CredentialCheck } from "./credentials.ts";
import { findAttribute, type RadiusAttribute, type RadiusPacket } from "./packet.ts";

export interface AccessPolicy {
  sessionTimeout: number;
  idleTimeout: number;
  interimInterval?: number;
  bandwidth?: { upBps: number; downBps: number };
  macAuth: { enabled: boolean; windowDays: number };
}

export interface AccessDeps {
  identifyMac(mac: string): MacIdentity;
  consume(username: string, password: string, callerMacHash: string | null): CredentialCheck;
  authorizeMac(macHash: string): void;
  isMacAuthorized(macHash: string, windowMs: number): boolean;
}

export interface AccessDecision {
  accept: boolean;
  /** Why (a counter suffix, safe to log: never a user name or MAC). */
  reason: string;
  method: "credential" | "mac" | "none";
  macHash: string | null;
  reply: RadiusAttribute[];
}

/** Decides an Access-Request whose source and Message-Authenticator were already checked. */
export function decideAccess(
  packet: RadiusPacket,
  secret: string,
  policy: AccessPolicy,
  deps: AccessDeps,
): AccessDecision {
  const caller = callerMac(packet, deps);
  const reject = (reason: string, method: AccessDecision["method"] = "none"): AccessDecision => ({
    accept: false,
    reason,
    method,
    macHash: caller?.hash ?? null,
    reply: [],
  });
  const username = readText(findAttribute(packet, ATTR.UserName));
  if (username === undefined || username.length === 0) return reject("no_user_name");
  if (findAttribute(packet, ATTR.ChapPassword)) return reject("chap_unsupported");
  const hidden = findAttribute(packet, ATTR.UserPassword);
  if (!hidden) return reject("no_password");
  const password = decryptPapPassword(hidden, secret, packet.authenticator);
  if (password === null) return reject("bad_password_encoding");

  if (looksLikeMac(username)) {
    // MAC authentication: the User-Name must be the calling device itself.
    if (!policy.macAuth.enabled) return reject("mac_auth_disabled", "mac");
    if (!caller || normalizeMac(username) !== caller.normalized)
      return reject("mac_mismatch", "mac");
    if (!deps.isMacAuthorized(caller.hash, policy.macAuth.windowDays * 86_400_000))
      return reject("mac_not_authorized", "mac");
    return accept("mac", caller.hash, policy);
  }
  const check = deps.consume(username, password, caller?.hash ?? null);
  if (!check.ok) return reject(check.reason, "credential");
  if (check.macHash) deps.authorizeMac(check.macHash);
  return accept("credential", check.macHash, policy);
}

function accept(
  method: "credential" | "mac",
  macHash: string | null,
  policy: AccessPolicy,
): AccessDecision {
  const reply = [
    uint32Attribute(ATTR.SessionTimeout, policy.sessionTimeout),
    uint32Attribute(ATTR.IdleTimeout, policy.idleTimeout),
  ];
  if (policy.interimInterval)
    reply.push(uint32Attribute(ATTR.AcctInterimInterval, policy.interimInterval));
  if (policy.bandwidth) {
    reply.push(vendorUint32Attribute(WISPR_VENDOR, WISPR.BandwidthMaxUp, policy.bandwidth.upBps));
    reply.push(
      vendorUint32Attribute(WISPR_VENDOR, WISPR.BandwidthMaxDown, policy.bandwidth.downBps),
    );
  }
  return { accept: true, reason: `${method}_ok`, method, macHash, reply };
}

function callerMac(
  packet: RadiusPacket,
  deps: AccessDeps,
): { normalized: string; hash: string } | null {
  const calling = readText(findAttribute(packet, ATTR.CallingStationId));
  if (calling === undefined || !looksLikeMac(calling)) return null;
  return { normalized: normalizeMac(calling), hash: deps.identifyMac(calling).hash };
}

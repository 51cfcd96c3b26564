// Access-Request decisions, PAP or CHAP: a portal-issued one-time credential, or MAC authorization
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
import { verifyChap, type ChapProof } from "./chap.ts";
import type { CredentialCheck } from "./credentials.ts";
import { macAuthPasswordCandidates } from "./mac-auth-passwords.ts";
import { findAttribute, type RadiusAttribute, type RadiusPacket } from "./packet.ts";
import { readPasswordProof } from "./password-proof.ts";

export interface AccessPolicy {
  sessionTimeout: number;
  idleTimeout: number;
  interimInterval?: number;
  bandwidth?: { upBps: number; downBps: number };
  macAuth: { enabled: boolean; windowDays: number };
}

export interface AccessDeps {
  identifyMac(mac: string): MacIdentity;
  /** `password`: the clear text (PAP) or a CHAP response. */
  consume(
    username: string,
    password: string | ChapProof,
    callerMacHash: string | null,
  ): CredentialCheck;
  authorizeMac(macHash: string): void;
  isMacAuthorized(macHash: string, windowMs: number): boolean;
}

export interface AccessDecision {
  accept: boolean;
  /** Why (a counter suffix, safe to log: never a user name or MAC). */
  reason: string;
  method: "credential" | "mac" | "none";
  /** How the password was proven (null when the request carried neither or both). */
  auth: "pap" | "chap" | null;
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
  const proof = readPasswordProof(packet, secret);
  const auth = proof.kind === "invalid" ? proof.auth : proof.kind;
  const reject = (reason: string, method: AccessDecision["method"] = "none"): AccessDecision => ({
    accept: false,
    reason,
    method,
    auth,
    macHash: caller?.hash ?? null,
    reply: [],
  });
  const username = readText(findAttribute(packet, ATTR.UserName));
  if (username === undefined || username.length === 0) return reject("no_user_name");
  if (proof.kind === "invalid") return reject(proof.reason);

  if (looksLikeMac(username)) {
    // MAC authentication: the User-Name must be the calling device itself.
    if (!policy.macAuth.enabled) return reject("mac_auth_disabled", "mac");
    if (!caller || normalizeMac(username) !== caller.normalized)
      return reject("mac_mismatch", "mac");
    // The password is the MAC in some vendor format; PAP's is not checked (it adds nothing to the
    // User-Name), but a CHAP response that matches no format means the NAS sent something else.
    if (proof.kind === "chap" && !verifyChap(proof.chap, macAuthPasswordCandidates(username)))
      return reject("mac_bad_password", "mac");
    if (!deps.isMacAuthorized(caller.hash, policy.macAuth.windowDays * 86_400_000))
      return reject("mac_not_authorized", "mac");
    return accept("mac", auth, caller.hash, policy);
  }
  const password = proof.kind === "pap" ? proof.password : proof.chap;
  const check = deps.consume(username, password, caller?.hash ?? null);
  if (!check.ok) return reject(check.reason, "credential");
  if (check.macHash) deps.authorizeMac(check.macHash);
  return accept("credential", auth, check.macHash, policy);
}

function accept(
  method: "credential" | "mac",
  auth: AccessDecision["auth"],
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
  return { accept: true, reason: `${method}_ok`, method, auth, macHash, reply };
}

function callerMac(
  packet: RadiusPacket,
  deps: AccessDeps,
): { normalized: string; hash: string } | null {
  const calling = readText(findAttribute(packet, ATTR.CallingStationId));
  if (calling === undefined || !looksLikeMac(calling)) return null;
  return { normalized: normalizeMac(calling), hash: deps.identifyMac(calling).hash };
}

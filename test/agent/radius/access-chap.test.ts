// decideAccess with CHAP-Password (RFC 2865 §2.2, §5.3): MAC authentication and portal credentials.
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { hashMac, macIdentifier } from "../../../agent/mac/hash.ts";
import { decideAccess, type AccessPolicy } from "../../../agent/radius/access.ts";
import { ATTR } from "../../../agent/radius/attributes.ts";
import { chapResponse } from "../../../agent/radius/chap.ts";
import { CredentialStore } from "../../../agent/radius/credentials.ts";
import { decodePacket, encodePacket, type RadiusAttribute } from "../../../agent/radius/packet.ts";
import { fixture } from "./fixtures.ts";

const KEY = "venue-key-for-radius-tests";
const SECRET = "testing123";
const MAC = "F2-62-E7-99-63-C6";
const policy: AccessPolicy = {
  sessionTimeout: 3600,
  idleTimeout: 600,
  macAuth: { enabled: true, windowDays: 30 },
};

function setup(sealingSecret: string | null = KEY) {
  const store = new CredentialStore(
    new DatabaseSync(":memory:"),
    Date.now,
    sealingSecret ? { sealingSecret } : {},
  );
  const deps = {
    identifyMac: macIdentifier(KEY),
    consume: store.consume.bind(store),
    authorizeMac: store.authorizeMac.bind(store),
    isMacAuthorized: store.isMacAuthorized.bind(store),
  };
  return { store, deps };
}

const text = (type: number, value: string): RadiusAttribute => ({
  type,
  value: Buffer.from(value),
});

/** An Access-Request whose CHAP-Password answers the Request Authenticator for `password`. */
function chapRequest(user: string, password: string, extra: RadiusAttribute[] = []) {
  const authenticator = Buffer.from("0f403f9473978057bd83d5cb98f4227a", "hex");
  const response = chapResponse(42, password, authenticator);
  return decodePacket(
    encodePacket(1, 9, authenticator, [
      text(ATTR.UserName, user),
      { type: ATTR.ChapPassword, value: Buffer.concat([Buffer.of(42), response]) },
      text(ATTR.CallingStationId, MAC),
      ...extra,
    ]),
  );
}

describe("decideAccess: MAC authentication over CHAP", () => {
  it("accepts radclient's CHAP MAC-auth (password in another format) once authorized", () => {
    const { store, deps } = setup();
    const packet = decodePacket(fixture("access-request-chap-mac-auth"));
    expect(decideAccess(packet, SECRET, policy, deps)).toMatchObject({
      accept: false,
      reason: "mac_not_authorized",
      auth: "chap",
    });
    store.authorizeMac(hashMac(KEY, MAC));
    const ok = decideAccess(packet, SECRET, policy, deps);
    expect(ok).toMatchObject({ accept: true, reason: "mac_ok", method: "mac", auth: "chap" });
    expect(ok.reply.map((a) => a.type)).toEqual([27, 28]);
    expect(ok.macHash).toBe(hashMac(KEY, MAC));
  });

  it.each(["f2:62:e7:99:63:c6", "F262E79963C6", "f2-62-e7-99-63-c6", MAC])(
    "accepts the password %s",
    (password) => {
      const { store, deps } = setup();
      store.authorizeMac(hashMac(KEY, MAC));
      expect(decideAccess(chapRequest(MAC, password), SECRET, policy, deps)).toMatchObject({
        accept: true,
      });
    },
  );

  it("rejects a CHAP response for anything but the MAC, and keeps the MAC rules", () => {
    const { store, deps } = setup();
    store.authorizeMac(hashMac(KEY, MAC));
    expect(
      decideAccess(chapRequest(MAC, "secret-mac-password"), SECRET, policy, deps),
    ).toMatchObject({ accept: false, reason: "mac_bad_password", method: "mac" });
    expect(
      decideAccess(chapRequest("aa-bb-cc-dd-ee-ff", "aa-bb-cc-dd-ee-ff"), SECRET, policy, deps),
    ).toMatchObject({ accept: false, reason: "mac_mismatch" });
    expect(
      decideAccess(
        chapRequest(MAC, MAC),
        SECRET,
        { ...policy, macAuth: { enabled: false, windowDays: 30 } },
        deps,
      ),
    ).toMatchObject({ accept: false, reason: "mac_auth_disabled" });
  });
});

describe("decideAccess: portal credentials over CHAP", () => {
  it("accepts the issued credential once and authorizes its MAC", () => {
    const { store, deps } = setup();
    const c = store.issue(hashMac(KEY, MAC), 600);
    expect(decideAccess(chapRequest(c.username, "wrong"), SECRET, policy, deps)).toMatchObject({
      accept: false,
      reason: "bad_password",
      method: "credential",
      auth: "chap",
    });
    expect(decideAccess(chapRequest(c.username, c.password), SECRET, policy, deps)).toMatchObject({
      accept: true,
      reason: "credential_ok",
      auth: "chap",
    });
    expect(store.isMacAuthorized(hashMac(KEY, MAC), 60_000)).toBe(true);
    expect(decideAccess(chapRequest(c.username, c.password), SECRET, policy, deps)).toMatchObject({
      accept: false,
      reason: "already_used",
    });
  });

  it("says why when the store cannot verify CHAP", () => {
    const { store, deps } = setup(null);
    const c = store.issue(null, 600);
    expect(decideAccess(chapRequest(c.username, c.password), SECRET, policy, deps)).toMatchObject({
      accept: false,
      reason: "chap_disabled",
    });
  });
});

describe("decideAccess: malformed password proofs", () => {
  const { deps } = setup();
  const hidden = { type: ATTR.UserPassword, value: Buffer.alloc(16) };

  it.each<[string, RadiusAttribute[], string]>([
    ["PAP and CHAP together (RFC 2865 §5.44)", [hidden], "pap_and_chap"],
    [
      "a short CHAP-Challenge",
      [{ type: ATTR.ChapChallenge, value: Buffer.alloc(3) }],
      "bad_chap_challenge",
    ],
  ])("%s", (_name, extra, reason) => {
    expect(decideAccess(chapRequest("g-x", "pw", extra), SECRET, policy, deps)).toMatchObject({
      accept: false,
      reason,
    });
  });

  it("a CHAP-Password of the wrong length", () => {
    const packet = decodePacket(
      encodePacket(1, 1, Buffer.alloc(16), [
        text(ATTR.UserName, "g-x"),
        { type: ATTR.ChapPassword, value: Buffer.alloc(16) },
      ]),
    );
    expect(decideAccess(packet, SECRET, policy, deps)).toMatchObject({
      accept: false,
      reason: "bad_chap_password",
      auth: "chap",
    });
  });
});

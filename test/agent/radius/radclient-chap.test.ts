// CHAP Access-Requests from the real FreeRADIUS radclient (Debian freeradius-utils): an input line
// `CHAP-Password = "…"` makes radclient compute the CHAP response itself (RFC 2865 §2.2).
import { describe, expect, it } from "vitest";
import { hashMac } from "../../../agent/mac/hash.ts";
import {
  SECRET,
  VENUE_KEY,
  hasRadclient,
  radclient,
  GUEST_MAC,
  GUEST_STATION,
  harnessPerTest,
  type Harness,
} from "./radius-harness.ts";

let h: Harness;
harnessPerTest((harness) => (h = harness));

const chap = (user: string, password: string, extra = "Message-Authenticator = 0x00\n") =>
  `User-Name = "${user}"\nCHAP-Password = "${password}"\n` + GUEST_STATION + `${extra}`;

/** The attribute names of the reply radclient received, in order. */
function replyAttributes(stdout: string, code: string): string[] {
  const at = stdout.indexOf(`Received ${code}`);
  expect(at, stdout).toBeGreaterThanOrEqual(0);
  const lines = stdout.slice(at).split("\n").slice(1);
  const end = lines.findIndex((l) => !l.startsWith("\t"));
  return lines.slice(0, end).map((l) => l.trim().split(" = ")[0]!);
}

const decisions = () =>
  h.logLines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === "radius access decision");

describe.skipIf(!hasRadclient)("RADIUS CHAP with radclient", () => {
  it("MAC authentication over CHAP: after a portal login, in any common MAC format", async () => {
    const stranger = await radclient(h.ports.auth, "auth", chap(GUEST_MAC, GUEST_MAC));
    expect(stranger.stdout).toContain("Received Access-Reject");
    h.credentials.authorizeMac(hashMac(VENUE_KEY, GUEST_MAC));
    for (const password of [GUEST_MAC, "f262e79963c6", "f2:62:e7:99:63:c6"]) {
      const back = await radclient(h.ports.auth, "auth", chap(GUEST_MAC, password));
      expect(replyAttributes(back.stdout, "Access-Accept")[0]).toBe("Message-Authenticator");
    }
    const wrong = await radclient(h.ports.auth, "auth", chap(GUEST_MAC, "shared-mac-password"));
    expect(wrong.stdout).toContain("Received Access-Reject");
    expect(h.counters.snapshot()).toMatchObject({
      "radius.auth.accept": 3,
      "radius.auth.reject": 2,
      "radius.auth.reject.mac_not_authorized": 1,
      "radius.auth.reject.mac_bad_password": 1,
    });
    expect(decisions().map((d) => [d.decision, d.method, d.auth])).toEqual([
      ["reject", "mac", "chap"],
      ["accept", "mac", "chap"],
      ["accept", "mac", "chap"],
      ["accept", "mac", "chap"],
      ["reject", "mac", "chap"],
    ]);
  });

  it("accepts a portal credential over CHAP once, Message-Authenticator first on both replies", async () => {
    const c = h.credentials.issue(hashMac(VENUE_KEY, GUEST_MAC), 600);
    const r = await radclient(h.ports.auth, "auth", chap(c.username, c.password));
    expect(r.status).toBe(0);
    expect(replyAttributes(r.stdout, "Access-Accept")).toEqual([
      "Message-Authenticator",
      "Session-Timeout",
      "Idle-Timeout",
      "Acct-Interim-Interval",
      "WISPr-Bandwidth-Max-Up",
      "WISPr-Bandwidth-Max-Down",
    ]);
    const again = await radclient(h.ports.auth, "auth", chap(c.username, c.password));
    expect(replyAttributes(again.stdout, "Access-Reject")).toEqual(["Message-Authenticator"]);
    expect(h.counters.snapshot()).toMatchObject({
      "radius.auth.accept": 1,
      "radius.auth.reject.already_used": 1,
    });
    // The portal login authorized the MAC: MAC-auth over CHAP now works.
    const mac = await radclient(h.ports.auth, "auth", chap(GUEST_MAC, "f262e79963c6"));
    expect(mac.stdout).toContain("Received Access-Accept");
  });

  it("rejects a wrong CHAP password without consuming the credential", async () => {
    const c = h.credentials.issue(null, 600);
    const wrong = await radclient(h.ports.auth, "auth", chap(c.username, `${c.password}x`));
    expect(replyAttributes(wrong.stdout, "Access-Reject")).toEqual(["Message-Authenticator"]);
    expect(h.counters.snapshot()["radius.auth.reject.bad_password"]).toBe(1);
    const right = await radclient(h.ports.auth, "auth", chap(c.username, c.password));
    expect(right.stdout).toContain("Received Access-Accept");
  });

  it("uses the CHAP-Challenge attribute when the NAS sends one", async () => {
    const c = h.credentials.issue(null, 600);
    const r = await radclient(
      h.ports.auth,
      "auth",
      chap(
        c.username,
        c.password,
        "CHAP-Challenge = 0x8f3a5c0d1e2f30415263748596a7b8c9d0\nMessage-Authenticator = 0x00\n",
      ),
    );
    expect(r.stdout).toContain("Received Access-Accept");
  });

  it("drops a CHAP Access-Request without Message-Authenticator when required", async () => {
    const c = h.credentials.issue(null, 600);
    const r = await radclient(h.ports.auth, "auth", chap(c.username, c.password, ""));
    expect(r.stdout).toContain("No reply");
    expect(
      h.counters.snapshot()["radius.auth.missing_message_authenticator"],
    ).toBeGreaterThanOrEqual(1);
    expect(h.counters.snapshot()["radius.auth.accept"]).toBeUndefined();
  });

  it("never logs the MAC, the password or the secret", async () => {
    const c = h.credentials.issue(hashMac(VENUE_KEY, GUEST_MAC), 600);
    await radclient(h.ports.auth, "auth", chap(c.username, c.password));
    await radclient(h.ports.auth, "auth", chap(GUEST_MAC, "f262e79963c6"));
    await radclient(h.ports.auth, "auth", chap(GUEST_MAC, "wrong"));
    const log = h.logLines.join("").toLowerCase();
    expect(h.logLines.length).toBeGreaterThanOrEqual(3);
    for (const forbidden of [GUEST_MAC, "f2:62:e7:99:63:c6", "f262e79963c6", SECRET, c.password])
      expect(log).not.toContain(forbidden.toLowerCase());
  });
});

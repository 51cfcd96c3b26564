// The agent's RADIUS server against the real FreeRADIUS radclient (Debian freeradius-utils).
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
  startHarness,
  type Harness,
} from "./radius-harness.ts";

let h: Harness;
harnessPerTest((harness) => (h = harness));

const access = (user: string, password: string, ma = true) =>
  `User-Name = "${user}"\nUser-Password = "${password}"\n` +
  GUEST_STATION +
  `${ma ? "Message-Authenticator = 0x00\n" : ""}`;
const acct = (status: string, extra = "") =>
  `Acct-Status-Type = ${status}\nAcct-Session-Id = "5e6792ce00000006"\n` +
  GUEST_STATION +
  `${extra}`;

describe.skipIf(!hasRadclient)("RADIUS with radclient", () => {
  it("accepts a portal credential once, with Message-Authenticator first and the configured reply", async () => {
    const c = h.credentials.issue(null, 600);
    const r = await radclient(h.ports.auth, "auth", access(c.username, c.password));
    expect(r.status).toBe(0);
    const reply = r.stdout.slice(r.stdout.indexOf("Received Access-Accept"));
    expect(
      reply
        .split("\n")
        .slice(1, 8)
        .map((l) => l.trim().split(" = ")[0]),
    ).toEqual([
      "Message-Authenticator",
      "Session-Timeout",
      "Idle-Timeout",
      "Acct-Interim-Interval",
      "WISPr-Bandwidth-Max-Up",
      "WISPr-Bandwidth-Max-Down",
      "",
    ]);
    expect(reply).toContain("Session-Timeout = 3600");
    expect(reply).toContain("WISPr-Bandwidth-Max-Down = 20000000");
    // One-time: the same credential again (a new request, not a retransmission) is rejected.
    const again = await radclient(h.ports.auth, "auth", access(c.username, c.password));
    expect(again.stdout).toContain("Received Access-Reject");
    expect(again.stdout).toMatch(/Access-Reject[^\n]*\n\tMessage-Authenticator = 0x[0-9a-f]{32}/);
    expect(h.counters.snapshot()).toMatchObject({
      "radius.auth.accept": 1,
      "radius.auth.reject": 1,
    });
  });

  it("rejects a wrong password and an unknown user", async () => {
    const c = h.credentials.issue(null, 600);
    expect(
      (await radclient(h.ports.auth, "auth", access(c.username, "not-the-password"))).stdout,
    ).toContain("Received Access-Reject");
    expect(
      (await radclient(h.ports.auth, "auth", access("g-unknown", "whatever"))).stdout,
    ).toContain("Received Access-Reject");
    expect(h.counters.snapshot()["radius.auth.reject"]).toBe(2);
  });

  it("lets a returning guest in by MAC after a portal login, and no one else", async () => {
    const stranger = await radclient(h.ports.auth, "auth", access(GUEST_MAC, GUEST_MAC));
    expect(stranger.stdout).toContain("Received Access-Reject");
    const c = h.credentials.issue(hashMac(VENUE_KEY, GUEST_MAC), 600);
    expect(
      (await radclient(h.ports.auth, "auth", access(c.username, c.password))).stdout,
    ).toContain("Received Access-Accept");
    const back = await radclient(h.ports.auth, "auth", access(GUEST_MAC, GUEST_MAC));
    expect(back.stdout).toContain("Received Access-Accept");
  });

  it("drops an Access-Request without Message-Authenticator when required", async () => {
    const c = h.credentials.issue(null, 600);
    const r = await radclient(h.ports.auth, "auth", access(c.username, c.password, false));
    expect(r.stdout).toContain("No reply");
    expect(
      h.counters.snapshot()["radius.auth.missing_message_authenticator"],
    ).toBeGreaterThanOrEqual(1);
  });

  it("answers without Message-Authenticator when not required", async () => {
    const lenient = await startHarness({ requireMessageAuthenticator: false });
    try {
      const c = lenient.credentials.issue(null, 600);
      const r = await radclient(lenient.ports.auth, "auth", access(c.username, c.password, false));
      expect(r.stdout).toContain("Received Access-Accept");
    } finally {
      await lenient.close();
    }
  });

  it("drops packets signed with a wrong secret, on both ports, and records nothing", async () => {
    const c = h.credentials.issue(null, 600);
    const auth = await radclient(
      h.ports.auth,
      "auth",
      access(c.username, c.password),
      "wrong-secret",
    );
    expect(auth.stdout).toContain("No reply");
    const acc = await radclient(h.ports.acct, "acct", acct("Start"), "wrong-secret");
    expect(acc.stdout).toContain("No reply");
    expect(h.counters.snapshot()).toMatchObject({
      "radius.auth.bad_message_authenticator": 1,
      "radius.acct.bad_authenticator": 1,
    });
    expect(h.outbox.stats().depth).toBe(0);
    // The credential was not consumed by the forged attempt.
    expect(
      (await radclient(h.ports.auth, "auth", access(c.username, c.password))).stdout,
    ).toContain("Received Access-Accept");
  });

  it("records accounting start / interim / stop once each, answered after the outbox write", async () => {
    for (const body of [
      acct("Start", 'Event-Timestamp = "Jul 31 2025 06:45:25 UTC"\n'),
      acct(
        "Interim-Update",
        "Acct-Session-Time = 600\nAcct-Input-Octets = 1000\nAcct-Output-Octets = 2000\n",
      ),
      acct(
        "Stop",
        "Acct-Session-Time = 1058\nAcct-Input-Octets = 2527451\nAcct-Output-Octets = 1000\nAcct-Input-Gigawords = 1\nAcct-Terminate-Cause = User-Request\n",
      ),
    ]) {
      const r = await radclient(h.ports.acct, "acct", body);
      expect(r.stdout).toContain("Received Accounting-Response");
    }
    // The NAS resends the Stop (new Identifier, Acct-Delay-Time): same messageId, stored once.
    const resend = await radclient(
      h.ports.acct,
      "acct",
      acct(
        "Stop",
        "Acct-Session-Time = 1058\nAcct-Input-Octets = 2527451\nAcct-Output-Octets = 1000\nAcct-Input-Gigawords = 1\nAcct-Terminate-Cause = User-Request\nAcct-Delay-Time = 5\n",
      ),
    );
    expect(resend.stdout).toContain("Received Accounting-Response");
    const stored = h.stored();
    expect(stored.map((m) => m.event)).toEqual([
      "WiFi Session Started",
      "WiFi Session Updated",
      "WiFi Session Ended",
    ]);
    expect(stored[2]?.properties).toMatchObject({
      bytesIn: 2 ** 32 + 2527451,
      durationSeconds: 1058,
      terminateCause: "User-Request",
      ssid: "Guest WiFi",
    });
    expect(new Set(stored.map((m) => m.messageId)).size).toBe(3);
    expect(h.counters.snapshot()).toMatchObject({
      "radius.acct.start": 1,
      "radius.acct.update": 1,
      "radius.acct.stop": 2,
    });
  });

  it("ends open sessions on Accounting-On", async () => {
    await radclient(h.ports.acct, "acct", acct("Start"));
    const on = await radclient(
      h.ports.acct,
      "acct",
      'Acct-Status-Type = Accounting-On\nNAS-Identifier = "venue-01"\n',
    );
    expect(on.stdout).toContain("Received Accounting-Response");
    const stored = h.stored();
    expect(stored.map((m) => m.event)).toEqual(["WiFi Session Started", "WiFi Session Ended"]);
    expect(stored[1]?.properties).toMatchObject({
      terminateCause: "NAS-Reboot",
      sessionId: "5e6792ce00000006",
    });
  });

  it("answers Status-Server (RFC 5997) only with a valid Message-Authenticator", async () => {
    const ok = await radclient(h.ports.auth, "status", "Message-Authenticator = 0x00\n");
    expect(ok.stdout).toContain("Received Access-Accept");
    const bad = await radclient(
      h.ports.auth,
      "status",
      "Message-Authenticator = 0x00\n",
      "wrong-secret",
    );
    expect(bad.stdout).toContain("No reply");
    expect(h.counters.snapshot()).toMatchObject({
      "radius.auth.status_server": 1,
      "radius.auth.status_server_dropped": 1,
    });
    expect(h.outbox.stats().depth).toBe(0);
  });

  it("never logs the raw MAC, the email user name or the secret", async () => {
    const c = h.credentials.issue(hashMac(VENUE_KEY, GUEST_MAC), 600);
    await radclient(h.ports.auth, "auth", access(c.username, c.password));
    await radclient(h.ports.auth, "auth", access("guest@example.com", "pw"));
    await radclient(h.ports.auth, "auth", access(GUEST_MAC, GUEST_MAC));
    await radclient(h.ports.acct, "acct", acct("Start", 'User-Name = "guest@example.com"\n'));
    await radclient(h.ports.acct, "acct", acct("Start"), "wrong-secret");
    await radclient(h.ports.acct, "acct", "Acct-Status-Type = Start\n"); // skipped: no session id
    const log = h.logLines.join("");
    expect(h.logLines.length).toBeGreaterThanOrEqual(5);
    for (const forbidden of [
      GUEST_MAC,
      GUEST_MAC.toLowerCase(),
      "f2:62:e7:99:63:c6",
      "f262e79963c6",
      "guest@example.com",
      SECRET,
      c.password,
    ]) {
      expect(log.toLowerCase()).not.toContain(forbidden.toLowerCase());
    }
  });
});

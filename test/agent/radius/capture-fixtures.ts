// Regenerates test/fixtures/radius/*.hex: runs FreeRADIUS radclient against a UDP socket that
// records the first datagram and never answers. Run by hand (names limit it to those fixtures):
//   npx node test/agent/radius/capture-fixtures.ts [name…]
// Attribute sets follow RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21 (Meraki, Aruba Instant On, UniFi) and §4.9.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import path from "node:path";

const OUT = path.join(import.meta.dirname, "../../fixtures/radius");
const SECRET = "testing123";

const FIXTURES: Record<string, { kind: "auth" | "acct"; attrs: string }> = {
  "access-request-mac-auth": {
    kind: "auth",
    attrs: `User-Name = "F2-62-E7-99-63-C6"\nUser-Password = "F2-62-E7-99-63-C6"\nCalling-Station-Id = "F2-62-E7-99-63-C6"\nCalled-Station-Id = "D0-15-A6-C2-74-D0:Guest WiFi"\nNAS-Identifier = "venue-01"\nMessage-Authenticator = 0x00\n`,
  },
  "access-request-chap-mac-auth": {
    kind: "auth",
    attrs: `User-Name = "F2-62-E7-99-63-C6"\nCHAP-Password = "f262e79963c6"\nCalling-Station-Id = "F2-62-E7-99-63-C6"\nCalled-Station-Id = "D0-15-A6-C2-74-D0:Guest WiFi"\nNAS-Identifier = "venue-01"\nMessage-Authenticator = 0x00\n`,
  },
  "access-request-chap-challenge": {
    kind: "auth",
    attrs: `User-Name = "f2:62:e7:99:63:c6"\nCHAP-Password = "F2-62-E7-99-63-C6"\nCHAP-Challenge = 0x000102030405060708090a0b0c0d0e0f10\nCalling-Station-Id = "f2:62:e7:99:63:c6"\nMessage-Authenticator = 0x00\n`,
  },
  "access-request-no-message-authenticator": {
    kind: "auth",
    attrs: `User-Name = "F2-62-E7-99-63-C6"\nUser-Password = "F2-62-E7-99-63-C6"\nCalling-Station-Id = "F2-62-E7-99-63-C6"\n`,
  },
  "acct-start-meraki": {
    kind: "acct",
    attrs: `Acct-Status-Type = Start\nAcct-Session-Id = "meraki-0001"\nUser-Name = "guest"\nCalling-Station-Id = "DE-F4-3C-18-06-DB"\nCalled-Station-Id = "5C-06-10-48-04-45:meraki"\nNAS-Identifier = "Cisco Meraki cloud RADIUS client"\nEvent-Timestamp = "Jul 31 2025 06:45:25 UTC"\n`,
  },
  "acct-interim-aruba": {
    kind: "acct",
    attrs: `Acct-Status-Type = Interim-Update\nAcct-Session-Id = "aruba-0001"\nCalling-Station-Id = "f262e79963c6"\nCalled-Station-Id = "d015a6c274d0"\nAcct-Session-Time = 600\nAcct-Input-Octets = 1000\nAcct-Output-Octets = 2000\nAcct-Delay-Time = 0\n`,
  },
  "acct-start-unifi": {
    kind: "acct",
    attrs: `Acct-Status-Type = Start\nAcct-Session-Id = "unifi-0001"\nCalling-Station-Id = "42:ae:4c:c0:73:a2"\nCalled-Station-Id = "78:8a:20:aa:bb:cc:Guest:Lobby"\nNAS-Identifier = "5f7c2a9e-1d3b-4c8e-9a6f-0b1c2d3e4f50"\nFramed-IP-Address = 172.16.0.221\nEvent-Timestamp = "Jul 31 2025 06:45:25 UTC"\n`,
  },
  "acct-stop-reference": {
    kind: "acct",
    attrs: `Acct-Status-Type = Stop\nAcct-Session-Id = "5e6792ce00000006"\nUser-Name = "guest@example.com"\nCalling-Station-Id = "F2-62-E7-99-63-C6"\nCalled-Station-Id = "D0-15-A6-C2-74-D0:Guest WiFi"\nAcct-Session-Time = 1058\nAcct-Input-Octets = 2527451\nAcct-Output-Octets = 1000\nAcct-Input-Gigawords = 1\nAcct-Terminate-Cause = User-Request\nEvent-Timestamp = "Jul 31 2025 07:03:03 UTC"\n`,
  },
  "acct-accounting-on": {
    kind: "acct",
    attrs: `Acct-Status-Type = Accounting-On\nNAS-Identifier = "venue-01"\nEvent-Timestamp = "Jul 31 2025 08:00:00 UTC"\n`,
  },
};

async function capture(kind: "auth" | "acct", attrs: string): Promise<Buffer> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const port = socket.address().port;
  const first = new Promise<Buffer>((resolve) =>
    socket.once("message", (msg: Buffer) => resolve(msg)),
  );
  const child = spawn("radclient", ["-r", "1", "-t", "1", `127.0.0.1:${port}`, kind, SECRET], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  child.stdin.end(attrs);
  const packet = await first;
  await new Promise((resolve) => child.on("close", resolve));
  socket.close();
  return packet;
}

const only = process.argv.slice(2);
for (const [name, { kind, attrs }] of Object.entries(FIXTURES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const packet = await capture(kind, attrs);
  const note = `# radclient 3.2.1 ${kind} secret=${SECRET}\n# ${attrs.trim().split("\n").join("\n# ")}\n`;
  writeFileSync(path.join(OUT, `${name}.hex`), `${note}${packet.toString("hex")}\n`);
  process.stdout.write(`${name} ${packet.length}\n`);
}

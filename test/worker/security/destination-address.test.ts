// Server-side request forgery through destinations: every private, loopback, link-local, CGNAT,
// ULA and metadata form is refused, whatever notation the URL uses; only the explicit local
// development opt-in lets loopback through, and nothing else.
import { describe, expect, it } from "vitest";
import {
  addressPolicyOf,
  destinationUrlProblem,
} from "../../../worker/destinations/destination-address.ts";

const REFUSED = [
  "http://127.0.0.1/",
  "http://127.1.2.3:8080/x",
  "http://2130706433/",
  "http://0x7f.1/",
  "http://017700000001/",
  "http://0177.0.0.1/",
  "http://localhost/",
  "http://LOCALHOST./",
  "http://api.localhost/",
  "http://[::1]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::7f00:1]/",
  "http://[::a9fe:a9fe]/",
  "http://[::127.0.0.1]/",
  "http://0.0.0.0/",
  "http://10.0.0.1/",
  "http://172.16.5.4/",
  "http://192.168.1.1/",
  "http://100.64.0.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://[fd00:ec2::254]/",
  "http://[fc00::1]/",
  "http://[fe80::1]/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://metadata/",
  "http://printer.local/",
  "http://224.0.0.1/",
  "http://255.255.255.255/",
  "ftp://hooks.example.com/",
  "file:///etc/passwd",
  "gopher://hooks.example.com/",
  "javascript:alert(1)",
  "https://user:pw@hooks.example.com/",
  "not a url",
];

const ALLOWED = [
  "https://hooks.example.com/foyer",
  "http://93.184.215.14/",
  "https://[2606:4700::1111]/",
  "https://api.segment.io/v1",
];

describe("destination URL policy", () => {
  it.each(REFUSED)("refuses %s", (url) => {
    expect(destinationUrlProblem(url, "strict")).toBeTypeOf("string");
  });

  it.each(ALLOWED)("allows %s", (url) => {
    expect(destinationUrlProblem(url, "strict")).toBeUndefined();
  });

  it("lets only loopback through with the local development opt-in", () => {
    const loopback = [
      "http://127.0.0.1:8787/",
      "http://[::1]/",
      "http://localhost/",
      "http://2130706433/",
    ];
    for (const url of loopback) expect(destinationUrlProblem(url, "loopback"), url).toBeUndefined();
    const still = REFUSED.filter(
      (u) => !loopback.includes(u) && !/127\.|localhost|::1\]|::7f00|0x7f|0177|2130706433/i.test(u),
    );
    for (const url of still)
      expect(destinationUrlProblem(url, "loopback"), url).toBeTypeOf("string");
  });

  it("is strict unless env opts in exactly", () => {
    expect(addressPolicyOf({})).toBe("strict");
    expect(addressPolicyOf({ ALLOW_PRIVATE_DESTINATIONS: "" })).toBe("strict");
    expect(addressPolicyOf({ ALLOW_PRIVATE_DESTINATIONS: "true" })).toBe("strict");
    expect(addressPolicyOf({ ALLOW_PRIVATE_DESTINATIONS: "loopback" })).toBe("loopback");
  });
});

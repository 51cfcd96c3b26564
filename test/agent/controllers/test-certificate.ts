// Self-signed certificates generated at test time with openssl, like a UniFi controller's own
// (CN "unifi"), plus a SAN for 127.0.0.1 so the CA path can also check the host name.
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TestCertificate {
  key: string;
  cert: string;
  /** Lower-case hex SHA-256 of the certificate's DER. */
  sha256: string;
}

/** A fresh EC P-256 key and a self-signed certificate for 127.0.0.1. */
export function selfSignedCertificate(commonName = "unifi"): TestCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), "foyer-cert-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    const r = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "2",
        "-subj",
        `/CN=${commonName}`,
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    const pem = readFileSync(cert, "utf8");
    return {
      key: readFileSync(key, "utf8"),
      cert: pem,
      sha256: new X509Certificate(pem).fingerprint256.replaceAll(":", "").toLowerCase(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

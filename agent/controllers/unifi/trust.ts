// Which TLS certificate a UniFi controller may present. Controllers ship self-signed certificates
// (CN "unifi", no SAN for the address they are reached at), so the system CAs refuse them. Each
// controller config names its trust: a CA (PEM; chain and host name checked by Node) or a pin, the
// SHA-256 fingerprint of the controller's certificate (what a browser shows; RFC 7469 §2.4 explains
// why pinning replaces PKI for a known peer). With neither, the system CAs decide.
import { connect, type TLSSocket } from "node:tls";
import { isIP } from "node:net";

/** A controller's trust settings, as parsed by the config schema (agent/controllers/config.ts). */
export interface ControllerTrust {
  /** PEM CA (or the controller's own self-signed certificate). */
  ca?: string;
  /** Lower-case hex SHA-256 of the controller certificate's DER, no separators. */
  certificateSha256?: string;
}

/** The presented certificate did not match the configured pin. */
export class CertificatePinError extends Error {
  override readonly name = "CertificatePinError";
  readonly code = "ERR_CERTIFICATE_PIN_MISMATCH";
  constructor(host: string, got: string) {
    super(`certificate of ${host} has SHA-256 ${got}, not the configured certificateSha256`);
  }
}

/** `AB:CD:…` or `abcd…` → `abcd…`; `undefined` unless it is 32 bytes of hex. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text.trim().replaceAll(":", "").toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** What `http.request`/`ws` pass to `createConnection`. */
interface ConnectOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
}
type Done = (error: Error | null, socket?: TLSSocket) => void;

/**
 * A `createConnection` for `https.request` and `ws` that applies `trust`. It answers through the
 * callback only once the handshake (and the pin check) is done, so no request byte — not the
 * login's password, not the session cookie — is written to a peer that failed the check.
 */
export function controllerConnector(trust: ControllerTrust) {
  return (options: ConnectOptions, done: Done): undefined => {
    const host = String(options.hostname ?? options.host ?? "localhost").replace(/^\[|\]$/g, "");
    const pin = trust.certificateSha256;
    const socket = connect({
      host,
      port: Number(options.port ?? 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      // With a pin the chain cannot verify (self-signed): the pin check below is the identity check.
      ...(pin !== undefined
        ? { rejectUnauthorized: false }
        : trust.ca !== undefined
          ? { ca: trust.ca }
          : {}),
    });
    socket.once("error", (error: Error) => done(error));
    socket.once("secureConnect", () => {
      if (pin !== undefined) {
        const got = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? "");
        if (got !== pin) {
          socket.destroy();
          done(new CertificatePinError(host, got ?? "(none)"));
          return;
        }
      }
      done(null, socket);
    });
    return undefined;
  };
}

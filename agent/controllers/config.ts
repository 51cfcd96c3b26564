// The `controllers` section of the agent config. Parsed once at start by the core loader
// (STYLE.md §5), which resolves `{ env: "VAR" }` secret references before handing it over.
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { normalizeFingerprint } from "./unifi/trust.ts";
import { parseSourceEntry } from "./source-allow.ts";

/** A secret given inline or as an environment-variable reference resolved by the config loader. */
export const secretRefSchema = z.union([
  z.string().min(1),
  z.object({ env: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** One or more PEM certificates, each of which must parse. */
const pemCertificatesSchema = z.string().refine(
  (pem) => {
    const blocks = pem.match(PEM_BLOCK) ?? [];
    try {
      return blocks.length > 0 && blocks.every((block) => new X509Certificate(block));
    } catch {
      return false;
    }
  },
  { message: "expected PEM certificate(s) (-----BEGIN CERTIFICATE-----)" },
);
/**
 * A UniFi controller's TLS trust (agent/controllers/unifi/trust.ts), shared by the event stream's
 * config and the portal's guest grant (agent/portal/config.ts).
 */
export const controllerTrustFields = {
  /** PEM CA the controller's certificate must chain to (its own self-signed one will do). */
  ca: pemCertificatesSchema.optional(),
  /** SHA-256 fingerprint of the controller's certificate (hex, colons allowed): a pin. */
  certificateSha256: z
    .string()
    .transform((text, ctx) => {
      const hex = normalizeFingerprint(text);
      if (hex === undefined)
        ctx.addIssue({ code: "custom", message: "expected 64 hex digits (colons allowed)" });
      return hex ?? text;
    })
    .optional(),
};

/** Either a CA or a pin, and only for an https:// controller. */
export function checkControllerTrust(
  unifi: { url: string; ca?: string | undefined; certificateSha256?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (unifi.ca !== undefined && unifi.certificateSha256 !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["certificateSha256"],
      message: "expected either ca or certificateSha256, not both",
    });
  if ((unifi.ca ?? unifi.certificateSha256) !== undefined && !unifi.url.startsWith("https:"))
    ctx.addIssue({
      code: "custom",
      path: ["url"],
      message: "expected an https:// url when ca or certificateSha256 is set",
    });
}

/** One `allowedSources` entry; a refusal names its index (`allowedSources.2`) and the reason. */
export const sourceEntrySchema = z.string().superRefine((entry, ctx) => {
  const range = parseSourceEntry(entry);
  if (typeof range === "string") ctx.addIssue({ code: "custom", message: range });
});

const merakiScanningSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The validator string Dashboard shows beside the Post URL (Scanning API v2/v3 handshake). */
    validator: z.string().min(1),
    /** The shared secret typed into Dashboard; checked against the POST body's `secret`. */
    secret: secretRefSchema,
  })
  .strict();

const merakiAlertsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Dashboard webhook "Shared secret": in the body, or as `Authorization: Bearer` via a template. */
    secret: secretRefSchema,
  })
  .strict();

const arubaSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Central webhook token (Account Home → Global Settings → Webhooks): the HMAC key. */
    token: secretRefSchema,
  })
  .strict();

const unifiSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Controller base URL, e.g. `https://192.168.1.1` (UniFi OS) or `https://unifi:8443` (classic). */
    url: z.url(),
    site: z.string().min(1).default("default"),
    /** `auto` probes `GET /` (302 → classic, 200 → UniFi OS), https://help.ui.com/hc/en-us/articles/31228198640023-External-Hotspot-API-for-Authorization-Clients. */
    flavor: z.enum(["auto", "classic", "unifi-os"]).default("auto"),
    username: z.string().min(1),
    password: secretRefSchema,
    reconnectInitialMs: z.number().int().positive().default(1_000),
    reconnectMaxMs: z.number().int().positive().default(60_000),
    ...controllerTrustFields,
  })
  .strict()
  .superRefine(checkControllerTrust);

const presenceSchema = z
  .object({
    /** Observations weaker than this (dBm) neither start nor extend a visit (passers-by). */
    minRssi: z.number().int().min(-120).max(0).default(-80),
    /** A visit is reported only once the device has been seen for this long. */
    minDwellSeconds: z.number().int().nonnegative().default(300),
    /** No observation for this long ends the visit (the "visit gap"). */
    absenceTimeoutSeconds: z.number().int().positive().default(900),
    /** A visit is "returning" when the same hashed MAC finished a visit within this window. */
    returningWindowDays: z.number().int().positive().default(30),
    sweepIntervalSeconds: z.number().int().positive().default(60),
  })
  .strict();

export const controllersConfigSchema = z
  .object({
    /** Venue id and group; the core loader may fill these from its `venue` section. */
    venueId: z.string().min(1).optional(),
    groupId: z.string().min(1).optional(),
    /** Webhook bodies above this size are refused with 413 before parsing. */
    maxBodyBytes: z.number().int().positive().default(1_048_576),
    /** Source IPv4/IPv6 addresses or CIDRs allowed to post webhooks; empty = any (rely on secrets). */
    allowedSources: z.array(sourceEntrySchema).default([]),
    meraki: z
      .object({ scanning: merakiScanningSchema.optional(), alerts: merakiAlertsSchema.optional() })
      .strict()
      .default({}),
    aruba: arubaSchema.optional(),
    unifi: unifiSchema.optional(),
    presence: presenceSchema.default(presenceSchema.parse({})),
  })
  .strict();

export type ControllersConfig = z.output<typeof controllersConfigSchema>;
export type PresenceConfig = ControllersConfig["presence"];
export type UnifiConfig = NonNullable<ControllersConfig["unifi"]>;

/**
 * The secret's text. The core loader resolves `{ env }` references at start, so one arriving here
 * is a wiring bug: fail loudly rather than compare against the variable's name.
 */
export function secretText(ref: SecretRef): string {
  if (typeof ref === "string") return ref;
  throw new Error(`secret reference {env: ${ref.env}} was not resolved by the config loader`);
}

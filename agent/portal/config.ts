// The `portal` section of the agent config (parsed once at start with the rest of the config;
// `{ env: "VAR" }` secret references are resolved before this schema runs).
import { z } from "zod";
import { checkControllerTrust, controllerTrustFields } from "../controllers/config.ts";
import { HostPatternError, parseHostPattern, type HostPattern } from "./security/allowed-hosts.ts";
import { MIN_TEXT_CONTRAST, contrastRatio } from "./theme/contrast.ts";

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "expected a #rrggbb colour");
const fieldMode = z.enum(["off", "optional", "required"]);
const positiveInt = z.number().int().positive();

const hostPattern = z.string().transform((text, ctx): HostPattern => {
  try {
    return parseHostPattern(text);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: error instanceof HostPatternError ? error.message : "invalid host",
    });
    return z.NEVER;
  }
});

const venueTexts = z
  .object({
    welcomeTitle: z.string().min(1).max(120).optional(),
    welcomeBody: z.string().min(1).max(1000).optional(),
    successBody: z.string().min(1).max(1000).optional(),
  })
  .strict();

/** Contrast check that leaves malformed colours to the regex's own, clearer issue. */
function reaches(a: string, b: string, min: number): boolean {
  const hex = /^#[0-9a-fA-F]{6}$/;
  return !hex.test(a) || !hex.test(b) || contrastRatio(a, b) >= min;
}

const colors = z
  .object({
    primary: color.default("#0b5cad"),
    primaryText: color.default("#ffffff"),
    background: color.default("#ffffff"),
    text: color.default("#1a1a1a"),
  })
  .strict()
  .refine((c) => reaches(c.text, c.background, MIN_TEXT_CONTRAST), {
    message: `text on background must reach ${MIN_TEXT_CONTRAST}:1 contrast (WCAG 2.2 SC 1.4.3)`,
    path: ["text"],
  })
  .refine((c) => reaches(c.primaryText, c.primary, MIN_TEXT_CONTRAST), {
    message: `primaryText on primary must reach ${MIN_TEXT_CONTRAST}:1 contrast (WCAG 2.2 SC 1.4.3)`,
    path: ["primaryText"],
  })
  .refine((c) => reaches(c.primary, c.background, 3), {
    message: "primary on background must reach 3:1 contrast (WCAG 2.2 SC 1.4.11, links and focus)",
    path: ["primary"],
  });

const rule = z.object({ max: positiveInt, windowSeconds: positiveInt }).strict();

const unifiSchema = z
  .object({
    /** Controller base URL: `https://192.168.1.1` (UniFi OS) or `https://unifi:8443` (classic). */
    url: z.url({ protocol: /^https?$/ }),
    site: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .default("default"),
    /** `auto` probes `GET /`: a 3xx is classic, a 200 is UniFi OS (https://help.ui.com/hc/en-us/articles/31228198640023-External-Hotspot-API-for-Authorization-Clients). */
    flavor: z.enum(["auto", "classic", "unifi-os"]).default("auto"),
    username: z.string().min(1),
    password: z.string().min(1),
    /** Minutes from now until the authorization expires. */
    minutes: positiveInt.default(480),
    /** Upload / download limits in kbps, and the data limit in MB (UniFi's `bytes` field is MB). */
    upKbps: positiveInt.optional(),
    downKbps: positiveInt.optional(),
    megabytes: positiveInt.optional(),
    /**
     * The UniFi redirect is unsigned: only authorize a MAC the controller lists as a connected guest
     * (https://help.ui.com/hc/en-us/articles/31228198640023-External-Hotspot-API-for-Authorization-Clients).
     */
    verifyGuest: z.boolean().default(true),
    /**
     * The controller's TLS trust, as for the agent's UniFi event stream: the grant goes through
     * the agent's pinned client, so the controller password never needs plain HTTP.
     */
    ...controllerTrustFields,
  })
  .strict()
  .superRefine(checkControllerTrust);

export const portalConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Signs CSRF tokens and the returning-guest cookie; changing it logs every guest out. */
    secret: z.string().min(32, "expected at least 32 characters"),
    /** The portal's own base URL as guests reach it (Meraki's `success_url`); default: the request's. */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    defaultLocale: z.enum(["en", "fr"]).default("en"),
    theme: z
      .object({
        /** `https://…` or a path on the agent; shown above the welcome text. */
        logoUrl: z
          .string()
          .regex(/^(https:\/\/|\/)[^\s"'<>]*$/, "expected an https:// URL or a /path")
          .optional(),
        logoAlt: z.string().max(200).default(""),
        colors: colors.prefault({}),
        /** Per-language overrides of the venue texts, e.g. `{ en: { welcomeTitle: "…" } }`. */
        texts: z.partialRecord(z.enum(["en", "fr"]), venueTexts).default({}),
      })
      .strict()
      .prefault({}),
    fields: z
      .object({
        name: fieldMode.default("optional"),
        phone: fieldMode.default("off"),
        /** Country of numbers typed without `+` (ISO 3166-1 alpha-2, e.g. "FR"). */
        phoneCountry: z
          .string()
          .regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 code such as FR")
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Where the full terms of use live; linked from the form. */
    termsUrl: z
      .string()
      .regex(/^(https?:\/\/|\/)[^\s"'<>]*$/, "expected an http(s) URL or a /path")
      .optional(),
    /** Segment consent category names the three choices are recorded under. */
    consentCategories: z
      .object({
        marketingEmail: z.string().min(1).default("Marketing"),
        analytics: z.string().min(1).default("Analytics"),
        advertising: z.string().min(1).default("Advertising"),
      })
      .strict()
      .prefault({}),
    returning: z
      .object({
        /** Lifetime of the signed returning-guest cookie. */
        cookieDays: positiveInt.default(30),
        /** A hashed MAC that logged in within this many days gets one-tap reconnect. */
        macWindowDays: positiveInt.default(30),
      })
      .strict()
      .prefault({}),
    rateLimit: z
      .object({
        perMac: rule.default({ max: 10, windowSeconds: 600 }),
        perIp: rule.default({ max: 60, windowSeconds: 600 }),
      })
      .strict()
      .prefault({}),
    /** Extra hosts the guest may be sent on to after login (e.g. the venue's own site). */
    continueHosts: z.array(hostPattern).default([]),
    /** Lifetime of portal-issued one-time RADIUS credentials (Meraki sign-on, Aruba). */
    credentialTtlSeconds: positiveInt.default(600),
    meraki: z
      .object({
        allowedHosts: z.array(hostPattern).default([parseHostPattern("*.network-auth.com")]),
        /** `duration` passed to the grant URL, in seconds (Meraki click-through API). */
        durationSeconds: positiveInt.default(43_200),
      })
      .strict()
      .prefault({}),
    aruba: z
      .object({
        allowedHosts: z
          .array(hostPattern)
          .default([
            parseHostPattern("securelogin.arubanetworks.com"),
            parseHostPattern("*.cloudauth.net"),
          ]),
        loginScheme: z.enum(["https", "http"]).default("https"),
        loginPath: z
          .string()
          .regex(/^\/[A-Za-z0-9/._-]*$/)
          .default("/cgi-bin/login"),
      })
      .strict()
      .prefault({}),
    unifi: unifiSchema.optional(),
  })
  .strict();

export type PortalConfig = z.output<typeof portalConfigSchema>;
export type UnifiGrantConfig = z.output<typeof unifiSchema>;

// The agent's one config file (issue 5, "parsed once at start"). `{ env: "VAR" }` secret
// references are resolved before this schema runs (env-refs.ts), so secrets here are plain strings.
import { isIP } from "node:net";
import { z } from "zod";
import { controllersConfigSchema, sourceEntrySchema } from "../controllers/config.ts";
import { DEFAULT_STATUS_SOURCES } from "../http/app.ts";
import { mqttConfigSchema } from "../mqtt/config.ts";
import { portalConfigSchema } from "../portal/config.ts";

const port = z.number().int().min(0).max(65535);
const secret = z.string().min(1);

const radiusClientSchema = z
  .object({
    /** The NAS's source IP address: RADIUS clients are authenticated by source IP + secret (RFC 2865 §3). */
    address: z.string().refine((a) => isIP(a) !== 0, "expected an IPv4 or IPv6 address"),
    secret,
    name: z.string().min(1).optional(),
    /** Overrides the server-wide `requireMessageAuthenticator` for this NAS. */
    requireMessageAuthenticator: z.boolean().optional(),
  })
  .strict();

const radiusSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().min(1).default("0.0.0.0"),
    authPort: port.default(1812),
    acctPort: port.default(1813),
    clients: z.array(radiusClientSchema).default([]),
    /** BlastRADIUS (CVE-2024-3596): drop Access-Requests without Message-Authenticator. */
    requireMessageAuthenticator: z.boolean().default(true),
    /** Session-Timeout (27) in seconds, RFC 2865 §5.27. */
    sessionTimeout: z.number().int().positive().default(3600),
    /** Idle-Timeout (28) in seconds, RFC 2865 §5.28. */
    idleTimeout: z.number().int().positive().default(600),
    /** Acct-Interim-Interval (85) in seconds, RFC 2869 §5.16; omitted when absent. */
    interimInterval: z.number().int().min(60).optional(),
    /** WISPr-Bandwidth-Max-Up/Down (14122/7, 14122/8) in bit/s; omitted when absent. */
    bandwidth: z
      .object({ upBps: z.number().int().positive(), downBps: z.number().int().positive() })
      .strict()
      .optional(),
    macAuth: z
      .object({
        enabled: z.boolean().default(true),
        /** A MAC authorized by a portal login within this many days is let in without the portal. */
        windowDays: z.number().positive().default(30),
      })
      .strict()
      .default({ enabled: true, windowDays: 30 }),
    /** Lifetime of portal-issued one-time credentials. */
    credentialTtlSeconds: z.number().int().positive().default(600),
  })
  .strict();

export const agentConfigSchema = z
  .object({
    venue: z
      .object({
        id: z.string().min(1),
        name: z.string().min(1),
        /** HMAC key for MAC hashing: changing it makes every returning guest look new. */
        key: z.string().min(16, "expected at least 16 characters"),
      })
      .strict(),
    edge: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        writeKey: secret,
        batchSize: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    outbox: z
      .object({
        path: z.string().min(1),
        maxRows: z.number().int().positive().default(1_000_000),
        synchronous: z.enum(["full", "normal"]).default("full"),
      })
      .strict(),
    http: z
      .object({
        host: z.string().min(1).default("127.0.0.1"),
        port: port.default(8788),
        /** Who may read `/status` (CIDR); default this machine only (agent/http/app.ts). */
        statusAllowedSources: z.array(sourceEntrySchema).default([...DEFAULT_STATUS_SOURCES]),
      })
      .strict()
      .default({
        host: "127.0.0.1",
        port: 8788,
        statusAllowedSources: [...DEFAULT_STATUS_SOURCES],
      }),
    radius: radiusSchema.default(radiusSchema.parse({})),
    log: z
      .object({ level: z.enum(["debug", "info", "warn", "error"]).default("info") })
      .strict()
      .default({ level: "info" }),
    controllers: controllersConfigSchema.optional(),
    mqtt: mqttConfigSchema.optional(),
    portal: portalConfigSchema.optional(),
  })
  .strict();

export type AgentConfig = z.output<typeof agentConfigSchema>;
export type RadiusConfig = AgentConfig["radius"];
export type LogLevel = AgentConfig["log"]["level"];

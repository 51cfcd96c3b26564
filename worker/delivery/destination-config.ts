// A destination as a space configures it through the admin API: which adapter, its settings (the
// adapter's own zod schema), the FQL subscription (Segment's trigger syntax), destination filters,
// the consent categories it is mapped to and its PII policy. Validated once here into a typed
// value; the delivery path never re-checks it.
import {
  destinationUrlProblem,
  type AddressPolicy,
  DESTINATIONS,
  destinationAdapter,
  type DestinationSlug,
} from "../destinations/index.ts";
import { InputError } from "../errors.ts";
import { z } from "../message/index.ts";
import { parseDestinationFilters, type DestinationFilter } from "./rules/filters.ts";
import { FqlError, parseFql } from "./rules/fql.ts";
import {
  parsePiiPolicy,
  DEFAULT_PII_POLICY,
  type PiiPolicy,
  PrivacyInputError,
} from "../gate/index.ts";

/** A refused configuration: the dot path of the field and why. Nothing is stored. */
export class DestinationConfigError extends InputError {
  /** `code` is `invalid_destination`, or the FQL error's `fql_syntax` / `fql_unsupported`. */
  constructor(field: string, message: string, code = "invalid_destination") {
    super(code, field, field === "" ? message : `${field}: ${message}`);
    this.name = "DestinationConfigError";
  }
}

/** Consent category ids follow Segment's rules (consent.ts): no leading digit, < 35 characters. */
const categoryId = z.string().regex(/^[^\d\s][^\s]{0,33}$/, "not a consent category id");

const inputSchema = z.strictObject({
  slug: z.enum(Object.keys(DESTINATIONS) as [DestinationSlug, ...DestinationSlug[]]),
  /** Name as clients write it in `integrations` (e.g. "Amplitude"); also the consent/PII key. */
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  settings: z.unknown(),
  /** FQL trigger, e.g. `type = "track" and event = "Order Completed"`; absent = everything. */
  subscription: z.string().min(1).max(5_120).optional(),
  filters: z.unknown().optional(),
  consentCategories: z.array(categoryId).max(20).default([]),
  /** An event without a consent object counts as "strictly necessary only" (consent.ts). */
  requireConsent: z.boolean().default(false),
  strictlyNecessary: z.array(categoryId).max(20).default([]),
  pii: z.unknown().optional(),
});

export interface DestinationConfig {
  id: string;
  spaceId: string;
  slug: DestinationSlug;
  name: string;
  enabled: boolean;
  settings: unknown;
  subscription?: string;
  filters: DestinationFilter[];
  consentCategories: string[];
  requireConsent: boolean;
  strictlyNecessary: string[];
  pii: PiiPolicy;
  version: number;
  updatedAt: string;
}

function zodField(error: z.ZodError, prefix: string): DestinationConfigError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter((p) => p !== "").join(".");
  const params =
    issue?.code === "custom" ? (issue.params as { code?: unknown } | undefined) : undefined;
  const code = typeof params?.code === "string" ? params.code : undefined;
  return new DestinationConfigError(path, issue?.message ?? "invalid", code);
}

/**
 * Validates an admin API body into a destination configuration.
 * @throws DestinationConfigError naming the field (settings.url, filters.0.if, subscription…).
 */
export function parseDestinationConfig(
  input: unknown,
  identity: { id: string; spaceId: string; version: number; updatedAt: string },
  addressPolicy: AddressPolicy = "strict",
): DestinationConfig {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw zodField(parsed.error, "");
  const body = parsed.data;
  const adapter = destinationAdapter(body.slug);
  if (!adapter) throw new DestinationConfigError("slug", "unknown destination");
  const settings = adapter.settingsSchema.safeParse(body.settings);
  if (!settings.success) throw zodField(settings.error, "settings");
  // Any adapter whose settings carry a URL (the webhook's) sends there: refuse private hosts now,
  // and http-send.ts checks again on every send and redirect.
  const url = (settings.data as { url?: unknown }).url;
  const urlProblem =
    typeof url === "string" ? destinationUrlProblem(url, addressPolicy) : undefined;
  if (urlProblem !== undefined) throw new DestinationConfigError("settings.url", urlProblem);
  if (body.subscription !== undefined) {
    try {
      parseFql(body.subscription);
    } catch (error) {
      if (error instanceof FqlError)
        throw new DestinationConfigError("subscription", error.message, error.code);
      throw error;
    }
  }
  let filters: DestinationFilter[] = [];
  try {
    filters = parseDestinationFilters(body.filters ?? []);
  } catch (error) {
    if (error instanceof z.ZodError) throw zodField(error, "filters");
    throw error;
  }
  let pii = DEFAULT_PII_POLICY;
  try {
    if (body.pii !== undefined) pii = parsePiiPolicy(body.pii, "pii");
  } catch (error) {
    if (error instanceof PrivacyInputError)
      throw new DestinationConfigError(error.field, error.message);
    throw error;
  }
  const known = new Set(body.consentCategories);
  const stray = body.strictlyNecessary.find((c) => !known.has(c));
  if (stray !== undefined)
    throw new DestinationConfigError("strictlyNecessary", `${stray} is not in consentCategories`);
  const config: DestinationConfig = {
    ...identity,
    slug: body.slug,
    name: body.name,
    enabled: body.enabled,
    settings: settings.data,
    filters,
    consentCategories: [...known],
    requireConsent: body.requireConsent,
    strictlyNecessary: body.strictlyNecessary,
    pii,
  };
  if (body.subscription !== undefined) config.subscription = body.subscription;
  return config;
}

/** Names whose values are credentials, at any depth (`apiKey`, `X-Api-Key`, `Authorization`). */
const SECRET_KEY = /secret|token|key|password|passwd|auth|credential|signature|cookie|session/i;
export const REDACTED = "[redacted]";

/** A URL without its userinfo and with secret-named query values redacted. */
function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (
    url.username === "" &&
    url.password === "" &&
    ![...url.searchParams.keys()].some((k) => SECRET_KEY.test(k))
  )
    return text;
  if (url.username !== "" || url.password !== "") {
    url.username = "";
    url.password = "";
  }
  for (const name of [...url.searchParams.keys()])
    if (SECRET_KEY.test(name)) url.searchParams.set(name, REDACTED);
  return url.toString();
}

/** Settings as an API may show them: every secret-named value at any depth, URL credentials. */
export function redactSettings(value: unknown, depth = 0): unknown {
  if (depth > 16) return REDACTED;
  if (typeof value === "string")
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  if (Array.isArray(value)) return value.map((item) => redactSettings(item, depth + 1));
  if (value !== null && typeof value === "object") {
    const shown: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value))
      shown[key] =
        SECRET_KEY.test(key) && (typeof child === "string" || typeof child === "number")
          ? REDACTED
          : redactSettings(child, depth + 1);
    return shown;
  }
  return value;
}

/**
 * Settings sent back on an update, with every value the API showed redacted put back from the stored
 * settings at the same path: a client that reads a destination and writes it back keeps its
 * secrets (a secret-named value sent as `[redacted]`, a URL sent as its redacted form). A
 * `[redacted]` with nothing stored behind it is refused rather than stored as the secret.
 */
export function keepRedactedSecrets(sent: unknown, stored: unknown, path = "settings"): unknown {
  if (typeof sent === "string") {
    if (typeof stored === "string" && stored !== sent && redactSettings(stored) === sent)
      return stored;
    if (sent === REDACTED)
      throw new DestinationConfigError(
        path,
        `"${REDACTED}" with no stored secret at this path: send the secret itself`,
        "redacted_secret",
      );
    return sent;
  }
  if (Array.isArray(sent))
    return sent.map((item, i) =>
      keepRedactedSecrets(item, Array.isArray(stored) ? stored[i] : undefined, `${path}.${i}`),
    );
  if (sent !== null && typeof sent === "object") {
    const kept: Record<string, unknown> = {};
    const storedObject =
      stored !== null && typeof stored === "object" && !Array.isArray(stored)
        ? (stored as Record<string, unknown>)
        : undefined;
    for (const [key, child] of Object.entries(sent)) {
      const before =
        storedObject && Object.hasOwn(storedObject, key) ? storedObject[key] : undefined;
      const restored =
        child === REDACTED &&
        SECRET_KEY.test(key) &&
        (typeof before === "string" || typeof before === "number")
          ? before
          : keepRedactedSecrets(child, before, `${path}.${key}`);
      Object.defineProperty(kept, key, {
        value: restored,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return kept;
  }
  return sent;
}

/** The configuration as the admin API returns it (secrets never leave once stored). */
export function redactedConfig(config: DestinationConfig): Record<string, unknown> {
  return { ...config, settings: redactSettings(config.settings) };
}

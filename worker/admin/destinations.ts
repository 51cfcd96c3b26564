// Admin API for destinations: configure per space (validated settings, FQL subscription, filters,
// consent categories, PII policy), read the delivery overview, inspect and replay the dead-letter
// store.
import { Hono } from "hono";
import { z } from "../message/index.ts";
import { addressPolicyOf } from "../destinations/index.ts";
import {
  parseDestinationConfig,
  forgetDestinations,
  keepRedactedSecrets,
  redactedConfig,
  type DestinationConfig,
  destinationObject,
  spaceActivation,
} from "../delivery/index.ts";
import { ApiError } from "../errors.ts";
import { getSpace } from "../sources/index.ts";
import { activationAdmin } from "./activation.ts";
import { parseBody, readJson, readJsonOrEmpty } from "./validate.ts";
import { assertRawAllowed, newlyRaw } from "./auth/raw-grant.ts";
import { DEFAULT_PII_POLICY } from "../gate/index.ts";
import { principalOf, type AdminEnv } from "./auth/principal.ts";

async function requireSpace(env: Env, spaceId: string): Promise<string> {
  if (!(await getSpace(env, spaceId)))
    throw new ApiError(404, "space_not_found", `no space ${spaceId}`);
  return spaceId;
}

/** The destination's stored configuration, refusing ids that are not this space's. */
async function requireDestination(
  env: Env,
  spaceId: string,
  id: string,
): Promise<DestinationConfig> {
  await requireSpace(env, spaceId);
  const listed = (await spaceActivation(env, spaceId).destinations()).some((d) => d.id === id);
  const text = listed ? await destinationObject(env, id).configuration() : null;
  if (text === null) throw new ApiError(404, "destination_not_found", `no destination ${id}`);
  return JSON.parse(text) as DestinationConfig;
}

// A refused config throws DestinationConfigError (an InputError): app.onError answers it.
function validated(
  env: Env,
  input: unknown,
  identity: Parameters<typeof parseDestinationConfig>[1],
) {
  return parseDestinationConfig(input, identity, addressPolicyOf(env));
}

async function store(env: Env, config: DestinationConfig): Promise<void> {
  await destinationObject(env, config.id).configure(JSON.stringify(config));
  await spaceActivation(env, config.spaceId).putDestination({
    id: config.id,
    slug: config.slug,
    name: config.name,
    enabled: config.enabled,
  });
  forgetDestinations(config.spaceId);
}

export const destinationsAdmin = new Hono<AdminEnv>();

// Computed traits and audiences share this mount point (one line in app.ts).
destinationsAdmin.route("/", activationAdmin);

destinationsAdmin.post("/spaces/:spaceId/destinations", async (c) => {
  const spaceId = await requireSpace(c.env, c.req.param("spaceId"));
  const config = validated(c.env, await readJson(c.req.raw), {
    id: `dst_${crypto.randomUUID().replaceAll("-", "")}`,
    spaceId,
    version: 1,
    updatedAt: new Date().toISOString(),
  });
  assertRawAllowed(principalOf(c).grants, newlyRaw(DEFAULT_PII_POLICY, config.pii, "pii"));
  await store(c.env, config);
  return c.json({ destination: redactedConfig(config) }, 201);
});

destinationsAdmin.get("/spaces/:spaceId/destinations", async (c) => {
  const spaceId = await requireSpace(c.env, c.req.param("spaceId"));
  return c.json({ destinations: await spaceActivation(c.env, spaceId).destinations() });
});

destinationsAdmin.get("/spaces/:spaceId/destinations/:id", async (c) => {
  const config = await requireDestination(c.env, c.req.param("spaceId"), c.req.param("id"));
  return c.json({ destination: redactedConfig(config) });
});

destinationsAdmin.put("/spaces/:spaceId/destinations/:id", async (c) => {
  const current = await requireDestination(c.env, c.req.param("spaceId"), c.req.param("id"));
  const body = await readJson(c.req.raw);
  // What GET showed as [redacted] comes back as the stored secret (delivery/destination-config.ts).
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "settings" in body)
    body.settings = keepRedactedSecrets(body.settings, current.settings);
  const config = validated(c.env, body, {
    id: current.id,
    spaceId: current.spaceId,
    version: current.version + 1,
    updatedAt: new Date().toISOString(),
  });
  assertRawAllowed(principalOf(c).grants, newlyRaw(current.pii, config.pii, "pii"));
  await store(c.env, config);
  return c.json({ destination: redactedConfig(config) });
});

destinationsAdmin.delete("/spaces/:spaceId/destinations/:id", async (c) => {
  const config = await requireDestination(c.env, c.req.param("spaceId"), c.req.param("id"));
  await spaceActivation(c.env, config.spaceId).removeDestination(config.id);
  forgetDestinations(config.spaceId);
  await destinationObject(c.env, config.id).remove();
  return c.json({ deleted: config.id });
});

destinationsAdmin.get("/spaces/:spaceId/destinations/:id/overview", async (c) => {
  const config = await requireDestination(c.env, c.req.param("spaceId"), c.req.param("id"));
  const overview = await destinationObject(c.env, config.id).overview();
  return c.json({ destination: { id: config.id, name: config.name, slug: config.slug }, overview });
});

destinationsAdmin.get("/spaces/:spaceId/destinations/:id/events/:messageId", async (c) => {
  const config = await requireDestination(c.env, c.req.param("spaceId"), c.req.param("id"));
  // `?sourceId=` picks one source's event when two sources reused a messageId.
  const text = await destinationObject(c.env, config.id).eventStatus(
    c.req.param("messageId"),
    c.req.query("sourceId") ?? null,
  );
  if (text === null) throw new ApiError(404, "event_not_found", "this destination never saw it");
  return new Response(`{"event":${text}}`, { headers: { "content-type": "application/json" } });
});

const limitQuery = z.coerce.number().int().min(1).max(1_000).default(100);

destinationsAdmin.get("/spaces/:spaceId/destinations/:id/dead-letters", async (c) => {
  const config = await requireDestination(c.env, c.req.param("spaceId"), c.req.param("id"));
  const limit = parseBody(limitQuery, c.req.query("limit"));
  const text = await destinationObject(c.env, config.id).deadLetters(limit);
  return new Response(`{"deadLetters":${text}}`, {
    headers: { "content-type": "application/json" },
  });
});

const replayBody = z.strictObject({
  /** Replay only these events; absent = the whole dead-letter store. */
  messageIds: z.array(z.string().min(1).max(200)).min(1).max(1_000).optional(),
});

destinationsAdmin.post("/spaces/:spaceId/destinations/:id/dead-letters/replay", async (c) => {
  const config = await requireDestination(c.env, c.req.param("spaceId"), c.req.param("id"));
  // Streamed under the admin body limit and depth scan like every admin body; empty = all.
  const body = parseBody(replayBody, await readJsonOrEmpty(c.req.raw));
  // The destination's Durable Object sends released events itself, once each.
  const released = await destinationObject(c.env, config.id).releaseForReplay(
    body.messageIds ?? null,
  );
  return c.json({ replayed: released.length, messageIds: released });
});

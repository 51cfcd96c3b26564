// The Tracking API: Segment's /v1 routes and analytics.js's short ones, answered with 200 only
// once every accepted event sits in the Queue (Invariant 1).
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { ApiError } from "../errors.ts";
import {
  dropRedFields,
  applyIpPolicy,
  matchesSuppression,
  countSuppressed,
  suppressionFor,
  admitLeased,
  sourceGate,
  type LeaseResult,
} from "../gate/index.ts";
import {
  chunkLines,
  MAX_BATCH_BYTES,
  MAX_MESSAGE_BYTES,
  type MessageType,
  type NormalizedMessage,
} from "../message/index.ts";
import type { SourceSnapshot } from "../sources/index.ts";
import { parseJsonBody, readBodyText } from "./body.ts";
import { parseTrackingBody, type RouteKind } from "./messages.ts";
import { settingsDocument } from "./settings.ts";
import { resolveWriteKey } from "./source-cache.ts";
import { writeKeyFromAuthorization } from "./write-key.ts";

type Ctx = Context<{ Bindings: Env }>;

const SINGLE_ROUTES: Record<string, MessageType> = {
  identify: "identify",
  i: "identify",
  track: "track",
  t: "track",
  page: "page",
  p: "page",
  screen: "screen",
  s: "screen",
  group: "group",
  g: "group",
  alias: "alias",
  a: "alias",
};
/** `/v1/import` is the legacy batch route analytics-android still uses (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/). */
const BATCH_ROUTES = ["batch", "import", "b"];

async function authenticate(
  env: Env,
  writeKey: string,
): Promise<{ source: SourceSnapshot; keyHash: string }> {
  const { source, keyHash } = await resolveWriteKey(env, writeKey);
  if (!source) throw new ApiError(401, "invalid_write_key", "the write key is not valid");
  return { source, keyHash };
}

/** Throws the API's answer to a refused lease. */
function refuse(result: Exclude<LeaseResult, { status: "ok" }>): never {
  switch (result.status) {
    case "disabled":
      throw new ApiError(401, "source_disabled", "the source for this write key is disabled");
    case "invalid_key":
      throw new ApiError(401, "invalid_write_key", "the write key is not valid");
    case "rate_limited":
      throw new ApiError(429, "rate_limited", "the source's rate limit is exceeded", {
        retryAfter: result.retryAfter,
      });
  }
}

/** The request's messages without repeats of a messageId within it (the first copy stays). */
function distinct(messages: readonly NormalizedMessage[]): NormalizedMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    if (seen.has(m.messageId)) return false;
    seen.add(m.messageId);
    return true;
  });
}

/**
 * Drops the events of suppressed subjects (https://segment.com/docs/privacy/user-deletion-and-suppression/: blocked at the API): the request is
 * still answered 200, the drop is counted per source, and nothing of the event is stored.
 */
async function withoutSuppressed(
  env: Env,
  source: SourceSnapshot,
  messages: NormalizedMessage[],
): Promise<NormalizedMessage[]> {
  const suppression = await suppressionFor(env, source.spaceId);
  if (!suppression) return messages;
  const kept: NormalizedMessage[] = [];
  for (const message of messages) {
    if (!(await matchesSuppression(message, suppression)).suppressed) kept.push(message);
  }
  const dropped = messages.length - kept.length;
  if (dropped > 0) await countSuppressed(env, source.id, source.spaceId, dropped);
  return kept;
}

async function handleTracking(c: Ctx, route: RouteKind): Promise<Response> {
  const receivedAt = Date.now();
  const headerKey = writeKeyFromAuthorization(c.req.header("authorization"));
  let auth = headerKey === undefined ? undefined : await authenticate(c.env, headerKey);

  const request = await readBodyText(c.req.raw, route.batch ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES);
  const parsed = parseTrackingBody(
    parseJsonBody(request.text),
    route,
    {
      receivedAt,
      receivedAtIso: new Date(receivedAt).toISOString(),
      ip: c.req.header("cf-connecting-ip"),
      newMessageId: () => `foyer-${crypto.randomUUID()}`,
    },
    request.bytes,
  );
  if (!auth) {
    if (parsed.writeKey === undefined) {
      throw new ApiError(401, "missing_write_key", "send the write key as Basic auth or writeKey");
    }
    auth = await authenticate(c.env, parsed.writeKey);
  }

  const messages = await withoutSuppressed(c.env, auth.source, parsed.accepted);
  const fresh = distinct(messages);
  const source = auth.source;
  const keyHash = auth.keyHash;
  let lease: Awaited<ReturnType<typeof admitLeased>>;
  try {
    lease = await admitLeased(
      (request) => sourceGate(c.env, source.id).lease(request),
      source,
      keyHash,
      fresh.length,
    );
  } catch (error) {
    throw new ApiError(503, "ingest_unavailable", "events could not be admitted; retry", {
      retryAfter: 2,
      cause: error,
    });
  }
  if (lease.status !== "ok") refuse(lease);
  // Invariant 1: every event is in the Queue before the 200. Invariant 5: the connecting address
  // is truncated (or dropped) and card numbers, IBANs and credentials removed before anything
  // stores the event. Repeats of an earlier request's messageIds are dropped after the Queue, by
  // the source's claim shards (worker/gate/admission/claims.ts).
  const chunks = chunkLines({
    requestId: crypto.randomUUID(),
    spaceId: source.spaceId,
    sourceId: source.id,
    receivedAt: new Date(receivedAt).toISOString(),
    lines: fresh.map((m) =>
      JSON.stringify(applyIpPolicy(dropRedFields(m).message, source.ipMode).message),
    ),
  });
  const sent = await Promise.allSettled(
    chunks.map((chunk) => c.env.EVENTS.send(chunk.text, { contentType: "text" })),
  );
  const failed = sent.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed)
    throw new ApiError(503, "queue_unavailable", "events could not be stored; retry", {
      retryAfter: 2,
      cause: failed.reason,
    });
  const body: Record<string, unknown> = {
    success: true,
    accepted: fresh.length,
    duplicates: messages.length - fresh.length,
  };
  if (parsed.rejected.length > 0) body.rejected = parsed.rejected;
  return c.json(body);
}

export const trackingApi = new Hono<{ Bindings: Env }>();

trackingApi.use(
  "/v1/*",
  cors({
    origin: "*",
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["Content-Type", "Authorization", "Content-Encoding"],
    exposeHeaders: ["Retry-After", "X-RateLimit-Reset"],
    maxAge: 86_400,
  }),
);

for (const [path, type] of Object.entries(SINGLE_ROUTES)) {
  trackingApi.post(`/v1/${path}`, (c) => handleTracking(c, { batch: false, type }));
}
for (const path of BATCH_ROUTES) {
  trackingApi.post(`/v1/${path}`, (c) => handleTracking(c, { batch: true }));
}

trackingApi.get("/v1/projects/:writeKey/settings", async (c) => {
  const { source } = await resolveWriteKey(c.env, c.req.param("writeKey"));
  if (!source || !source.enabled) {
    throw new ApiError(404, "unknown_write_key", "no enabled source has this write key");
  }
  const base = c.env.PUBLIC_URL || new URL(c.req.url).origin;
  return c.json(settingsDocument(c.req.param("writeKey"), base), 200, {
    "cache-control": "public, max-age=60",
  });
});

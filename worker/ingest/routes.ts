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
  type AdmitResult,
} from "../gate/index.ts";
import {
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

function admitted(result: AdmitResult): { accepted: number; duplicates: number } {
  switch (result.status) {
    case "ok":
      return result;
    case "disabled":
      throw new ApiError(401, "source_disabled", "the source for this write key is disabled");
    case "invalid_key":
      throw new ApiError(401, "invalid_write_key", "the write key is not valid");
    case "rate_limited":
      throw new ApiError(429, "rate_limited", "the source's rate limit is exceeded", {
        retryAfter: result.retryAfter,
      });
    case "unavailable":
      throw new ApiError(503, "queue_unavailable", "events could not be stored; retry", {
        retryAfter: result.retryAfter,
      });
  }
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
  const gate = c.env.SOURCE_GATE.get(c.env.SOURCE_GATE.idFromName(auth.source.id));
  let result: AdmitResult;
  try {
    result = await gate.admit({
      source: auth.source,
      keyHash: auth.keyHash,
      requestId: crypto.randomUUID(),
      receivedAt: new Date(receivedAt).toISOString(),
      ids: messages.map((m) => m.messageId),
      // Invariant 5: the connecting address is truncated (or dropped) before anything stores it;
      // card numbers, IBANs and credentials are removed here too, so no store sees them raw.
      lines: messages.map((m) =>
        JSON.stringify(applyIpPolicy(dropRedFields(m).message, auth.source.ipMode).message),
      ),
    });
  } catch (error) {
    throw new ApiError(503, "ingest_unavailable", "events could not be admitted; retry", {
      retryAfter: 2,
      cause: error,
    });
  }
  const { accepted, duplicates } = admitted(result);
  const body: Record<string, unknown> = { success: true, accepted, duplicates };
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

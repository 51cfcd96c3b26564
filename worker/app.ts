// The worker's HTTP surface: Tracking API at /v1, admin API at /admin/v1, errors mapped once.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  requireAdmin,
  readsAdmin,
  sourcesAdmin,
  identityAdmin,
  tokensAdmin,
  privacyAdmin,
  auditAdmin,
  lineageAdmin,
  profileReadsAdmin,
  regulationsAdmin,
  regulationsApi,
  destinationsAdmin,
  meterAdmin,
} from "./admin/index.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { trackingApi } from "./ingest/index.ts";
import { profileApi } from "./profiles/index.ts";

const CORS_ON_ERRORS = { "access-control-allow-origin": "*" };

export const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));
app.route("/", profileApi);
app.route("/", trackingApi);
app.use("/admin/*", requireAdmin);
app.route("/admin/v1", sourcesAdmin);
app.route("/admin/v1", readsAdmin);
app.route("/admin/v1", identityAdmin);
app.route("/admin/v1", tokensAdmin);
app.route("/admin/v1", privacyAdmin);
app.route("/admin/v1", auditAdmin);
app.route("/admin/v1", lineageAdmin);
app.route("/admin/v1", profileReadsAdmin);
app.route("/admin/v1", regulationsAdmin);
app.use("/v1/regulations", requireAdmin);
app.use("/v1/regulations/*", requireAdmin);
app.route("/v1", regulationsApi);
app.route("/admin/v1", destinationsAdmin);
app.route("/admin/v1", meterAdmin);

app.notFound(() => errorResponse(new ApiError(404, "not_found", "no such route")));

app.onError((error, c) => {
  const headers = c.req.path.startsWith("/v1/") ? CORS_ON_ERRORS : {};
  if (error instanceof ApiError) return errorResponse(error, headers);
  if (error instanceof HTTPException) {
    return errorResponse(new ApiError(error.status, "http_error", error.message), headers);
  }
  console.error("unhandled error", { path: c.req.path, error: String(error) });
  return errorResponse(new ApiError(500, "internal_error", "internal error"), headers);
});

// `GET /admin/v1/meter`: what the data path has cost so far in this isolate (worker/platform/meter.ts),
// Durable Object requests and Queue messages by binding. 404 unless FOYER_METER is "1".
import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import { meterEnabled, meterSnapshot } from "../platform/index.ts";
import type { AdminEnv } from "./auth/principal.ts";

export const meterAdmin = new Hono<AdminEnv>();

meterAdmin.get("/meter", (c) => {
  if (!meterEnabled(c.env)) throw new ApiError(404, "not_found", "metering is off (FOYER_METER)");
  return c.json({ counts: meterSnapshot() });
});

// Foyer's edge worker: HTTP (Tracking, admin), the ingest Queue consumer, the hourly cron, and the
// Durable Object classes. Each entry point only hands over to its domain.
import { app } from "./app.ts";
import { consumeIngestBatch } from "./pipeline/index.ts";
import { consumeDeliveryBatch } from "./delivery/index.ts";
import { purgeExpired } from "./governance/index.ts";
import { meterEnv } from "./platform/index.ts";

export { SourceGate } from "./gate/index.ts";
export { SourceDebugger } from "./debugger/index.ts";
export { IdentityGraph } from "./governance/index.ts";
export { ProfileObject } from "./profiles/index.ts";
export { DestinationObject, SpaceActivation } from "./delivery/index.ts";

export default {
  fetch: (request, env, ctx) => app.fetch(request, meterEnv(env), ctx),
  async queue(batch, rawEnv) {
    const env = meterEnv(rawEnv);
    // Delivery to destinations has its own Queue (wrangler.toml), separate from ingestion.
    if (batch.queue.startsWith("foyer-delivery"))
      await consumeDeliveryBatch(batch as MessageBatch<string>, env);
    else await consumeIngestBatch(batch as MessageBatch<string>, env);
  },
  async scheduled(controller, env) {
    const report = await purgeExpired(meterEnv(env), controller.scheduledTime);
    console.warn("retention purge", report);
  },
} satisfies ExportedHandler<Env>;

// Foyer's edge worker: HTTP (Tracking, admin), the ingest Queue consumer, the hourly cron, and the
// Durable Object classes. Each entry point only hands over to its domain.
import { app } from "./app.ts";
import { consumeIngestBatch } from "./pipeline/ingest-consumer.ts";
import { consumeDeliveryBatch } from "./delivery/delivery-consumer.ts";
import { purgeExpired } from "./governance/retention/purge.ts";

export { SourceGate } from "./gate/admission/source-gate.ts";
export { SourceDebugger } from "./debugger/source-debugger.ts";
export { IdentityGraph } from "./governance/regulations/graph-host.ts";
export { ProfileObject } from "./profiles/profile-object.ts";
export { DestinationObject } from "./delivery/destination-object.ts";
export { SpaceActivation } from "./delivery/space-activation.ts";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    // Delivery to destinations has its own Queue (wrangler.toml), separate from ingestion.
    if (batch.queue.startsWith("foyer-delivery"))
      await consumeDeliveryBatch(batch as MessageBatch<string>, env);
    else await consumeIngestBatch(batch as MessageBatch<string>, env);
  },
  async scheduled(controller, env) {
    const report = await purgeExpired(env, controller.scheduledTime);
    console.warn("retention purge", report);
  },
} satisfies ExportedHandler<Env>;

// The hourly cron as Cloudflare fires it, at a chosen scheduled time (the clock retention reads).
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../../../worker/index.ts";

export const DAY = 86_400_000;

export async function runCron(at: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "17 * * * *" }), env);
}

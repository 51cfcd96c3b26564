// What a DestinationObject writes to the lineage record (worker/delivery/lineage/record.ts) as it
// settles an event, so `GET …/events/:messageId/lineage` answers from what really happened. A
// lineage write failure must not change delivery (the ledger is the source of truth for retries
// and the overview), so it is logged by message id and swallowed.
import { recordDeliveryDecisions, type DecisionRecord } from "./record.ts";
import type { DestinationConfig } from "../destination-config.ts";

/** Which event at which destination. */
export interface LineageKey {
  config: DestinationConfig;
  sourceId: string;
  messageId: string;
}

/** The record's outcome part: status, decision and attempt facts. */
export type LineageOutcome = Pick<DecisionRecord, "decision" | "status" | "attempts" | "error">;

/** Records one destination's outcome for one event. */
export async function recordLineage(
  env: Env,
  key: LineageKey,
  outcome: LineageOutcome,
): Promise<void> {
  try {
    await recordDeliveryDecisions(
      env,
      { spaceId: key.config.spaceId, sourceId: key.sourceId, messageId: key.messageId },
      [{ destination: key.config.name, destinationId: key.config.id, ...outcome }],
    );
  } catch (error) {
    console.error("lineage record failed", {
      messageId: key.messageId,
      destinationId: key.config.id,
      error: error instanceof Error ? error.name : "unknown",
    });
  }
}

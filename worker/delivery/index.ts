// From an event to a destination: fan-out, the delivery queue, DestinationObject, the ledger,
// lineage, filters and the SpaceActivation object.
export { consumeDeliveryBatch, destinationObject } from "./delivery-consumer.ts";
export {
  type DestinationConfig,
  parseDestinationConfig,
  keepRedactedSecrets,
  redactedConfig,
} from "./destination-config.ts";
export { judgeEvent } from "./destination-judge.ts";
export { DestinationObject } from "./destination-object.ts";
export { egressFetch } from "./egress.ts";
export { enqueueDeliveries, forgetDestinations, spaceActivation } from "./fan-out.ts";
export { type DefinitionKind, SpaceActivation, type StoredDefinition } from "./space-activation.ts";
export type { LedgerLineageEntry } from "./lineage/ledger-lineage.ts";

// One adapter per vendor behind adapter.ts, the catalog, and the checked egress they share.
export type { DeletionSubject, DeliveryResult } from "./adapter.ts";
export { destinationAdapter, DESTINATIONS, type DestinationSlug } from "./catalog.ts";
export {
  type AddressPolicy,
  addressPolicyOf,
  destinationUrlProblem,
} from "./destination-address.ts";
export { isObject, textOf } from "./event-fields.ts";
export { backoffDelaySeconds, decideNextStep, MAX_ATTEMPTS } from "./retry.ts";

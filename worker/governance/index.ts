// The control plane's own work: regulations (deletion and suppression end to end, the
// archive rewrite included) and retention.
export { destinationDeletionsOf } from "./regulations/destination-deletions.ts";
export { IdentityGraph } from "./regulations/graph-host.ts";
export { parseRegulationRequest } from "./regulations/model.ts";
export { initialRegulationState } from "./regulations/plan.ts";
export {
  deleteRegulation,
  getRegulation,
  insertRegulation,
  listRegulations,
  type RegulationRecord,
} from "./regulations/store.ts";
export type { ResolvedSubjects } from "./regulations/subjects.ts";
export { purgeExpired } from "./retention/purge.ts";

// The control plane's HTTP routes and their auth: tokens, roles, route permissions.
export { auditAdmin } from "./audit.ts";
export { requireAdmin } from "./auth/middleware.ts";
export { destinationsAdmin } from "./destinations.ts";
export { identityAdmin } from "./identity.ts";
export { lineageAdmin } from "./lineage.ts";
export { privacyAdmin } from "./privacy-settings.ts";
export { profileReadsAdmin } from "./profile-reads.ts";
export { readsAdmin } from "./reads.ts";
export { regulationsAdmin, regulationsApi } from "./regulations.ts";
export { sourcesAdmin } from "./sources.ts";
export { tokensAdmin } from "./tokens.ts";
export { meterAdmin } from "./meter.ts";

// The edge: /v1/* and the tracking API, write-key auth, body parsing and the source cache.
export { parseJsonBody, readBodyText } from "./body.ts";
export { trackingApi } from "./routes.ts";
export { forgetSource } from "./source-cache.ts";

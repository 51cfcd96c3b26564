// `npm run bench`: see bench-ingest.ts. This file only checks the Node version first.
import "./node-version.mjs";

await import("./bench-ingest.ts");

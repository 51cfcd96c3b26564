// `npm run bench`: see bench-run.ts. This file only checks the Node version first.
import "./node-version.mjs";

await import("./bench-run.ts");

// `npm test`: see run-tests.ts. This file only checks the Node version first.
import "./node-version.mjs";

await import("./run-tests.ts");

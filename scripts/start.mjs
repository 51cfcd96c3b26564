// `npm start`: see start-stack.ts. This file only checks the Node version first, because the
// TypeScript modules it loads cannot even be parsed by an older Node.
import "./node-version.mjs";

await import("./start-stack.ts");

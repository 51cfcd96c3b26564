// One lint config for the whole package. Type-aware rules catch floating promises,
// which matter most in the worker (a dropped promise is a dropped event) and the agent.
import tseslint from "typescript-eslint";

// The worker's rooms, in the order an event passes them (docs/architecture.md). Each room lists
// the rooms it may not import: imports point down the flow, and nothing on the data path reaches
// up into the control plane (admin/, governance/ where it is already clean).
const ROOMS = [
  "message",
  "platform",
  "ingest",
  "gate",
  "pipeline",
  "archive",
  "identity",
  "profiles",
  "activation",
  "delivery",
  "destinations",
  "governance",
  "admin",
  "sources",
  "debugger",
];
const FORBIDDEN = {
  message: ROOMS.filter((r) => r !== "message"),
  platform: ROOMS.filter((r) => !["platform", "message"].includes(r)),
  // gate reads the source snapshot type (sources/types.ts).
  gate: ROOMS.filter((r) => !["gate", "message", "platform", "sources"].includes(r)),
  destinations: ROOMS.filter((r) => !["destinations", "message", "platform"].includes(r)),
  delivery: [
    "ingest",
    "pipeline",
    "archive",
    "identity",
    "profiles",
    "activation",
    "governance",
    "admin",
    "debugger",
  ],
  activation: [
    "ingest",
    "pipeline",
    "archive",
    "identity",
    "profiles",
    "governance",
    "admin",
    "debugger",
  ],
  ingest: [
    "pipeline",
    "archive",
    "identity",
    "profiles",
    "activation",
    "delivery",
    "destinations",
    "governance",
    "admin",
    "debugger",
  ],
  archive: [
    "ingest",
    "pipeline",
    "identity",
    "profiles",
    "activation",
    "delivery",
    "destinations",
    "governance",
    "admin",
    "debugger",
  ],
  pipeline: ["admin", "governance", "ingest"],
  identity: ["admin", "governance", "ingest", "pipeline", "activation", "delivery", "destinations"],
  // ProfileObject reports what it knows of a regulation's subjects (governance/regulations/subject-facts.ts).
  profiles: ["admin", "ingest", "pipeline"],
  sources: ROOMS.filter((r) => !["sources", "platform", "message"].includes(r)),
  debugger: ["admin", "governance", "ingest", "pipeline"],
};
const ZOD = {
  name: "zod",
  message: "import { z } from worker/message/zod.ts (configured jitless once)",
};

/** One no-restricted-imports block per room (a file gets one block: flat config does not merge). */
function roomBoundaries() {
  const blocks = [
    {
      files: ["worker/**"],
      ignores: ["worker/message/zod.ts"],
      rules: { "no-restricted-imports": ["error", { paths: [ZOD] }] },
    },
  ];
  for (const room of ROOMS) {
    const forbidden = FORBIDDEN[room] ?? [];
    const others = ROOMS.filter((r) => r !== room && !forbidden.includes(r));
    const patterns = [];
    if (forbidden.length > 0)
      patterns.push({
        regex: `^(\\.\\./)+(${forbidden.join("|")})/`,
        message: `worker/${room} may not import these rooms (eslint.config.mjs ROOMS)`,
      });
    if (others.length > 0)
      patterns.push({
        // Another room is reached through its face (worker/<room>/index.ts), not its files.
        regex: `^(\\.\\./)+(${others.join("|")})/(?!index\\.ts$)`,
        message: "import another room through its face, worker/<room>/index.ts",
      });
    // The Segment model is shared with the portal: keep it runtime-free.
    if (room === "message")
      patterns.push({
        group: ["node:*", "cloudflare:*", "hono", "hono/*"],
        message: "runtime-free",
      });
    blocks.push({
      files: [`worker/${room}/**`],
      ...(room === "message" ? { ignores: ["worker/message/zod.ts"] } : {}),
      rules: { "no-restricted-imports": ["error", { paths: [ZOD], patterns }] },
    });
  }
  // The entry files (worker/index.ts, worker/app.ts) reach every room through its face too.
  blocks.push({
    files: ["worker/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [ZOD],
          patterns: [
            {
              regex: `^\\./(${ROOMS.join("|")})/(?!index\\.ts$)`,
              message: "import a room through its face, worker/<room>/index.ts",
            },
          ],
        },
      ],
    },
  });
  return blocks;
}

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".wrangler/",
      ".foyer/",
      "drizzle/",
      "types/worker-configuration.d.ts",
      "bench-results/",
      "test-results/",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.worker.json", "./tsconfig.node.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.mts", "scripts/**", "test/bench/**"],
    rules: { "no-console": "off" },
  },
  { files: ["**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  ...roomBoundaries(),
);

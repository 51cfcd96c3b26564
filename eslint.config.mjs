// One lint config for the whole package. Type-aware rules catch floating promises,
// which matter most in the worker (a dropped promise is a dropped event) and the agent.
import tseslint from "typescript-eslint";

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
  {
    // zod is configured once (jitless: workerd forbids code generation) in worker/message/zod.ts.
    files: ["worker/**"],
    ignores: ["worker/message/zod.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "zod", message: "import { z } from worker/message/zod.ts" }] },
      ],
    },
  },
  {
    // The Segment model is shared by the worker, the agent and the portal: keep it runtime-free.
    files: ["worker/message/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["node:*", "cloudflare:*", "hono", "hono/*"] },
      ],
    },
  },
);

// Two test projects: `worker` runs inside workerd (the real D1, Durable Object, Queue and R2
// simulations, per-test isolated storage); `node` runs the agent, portal and end-to-end suites
// against real peers (UDP RADIUS, MQTT, headless Chromium, the worker under `wrangler dev`).
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(path.join(import.meta.dirname, "drizzle"));

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: "test-admin-token" },
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          setupFiles: ["./test/worker/apply-migrations.ts"],
          // The vendor receiver on 127.0.0.1 that destination tests send real requests to.
          globalSetup: ["./test/receiver/global-setup.ts"],
        },
      },
      {
        test: {
          name: "node",
          include: ["test/agent/**/*.test.ts", "test/e2e/**/*.test.ts", "test/bench/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

// Secrets and test-only bindings that `wrangler types` cannot see in wrangler.toml.
import type { D1Migration } from "cloudflare:test";

declare global {
  interface Env {
    /** Admin API bearer token (`wrangler secret put ADMIN_TOKEN`; `.dev.vars` locally). */
    ADMIN_TOKEN: string;
    /** Set by vitest.config.mts for the worker test project only. */
    TEST_MIGRATIONS: D1Migration[];
  }
  namespace Cloudflare {
    interface Env {
      ADMIN_TOKEN: string;
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

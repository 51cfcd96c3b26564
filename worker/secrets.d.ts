// Secrets and test-only bindings that `wrangler types` cannot see in wrangler.toml.
import type { D1Migration } from "cloudflare:test";

declare global {
  interface Env {
    /** Admin API bearer token (`wrangler secret put ADMIN_TOKEN`; `.dev.vars` locally). */
    ADMIN_TOKEN: string;
    /** Set by vitest.config.mts for the worker test project only. */
    TEST_MIGRATIONS: D1Migration[];
    /**
     * `loopback` lets destinations reach 127.0.0.1/::1/localhost, for local development only
     * (`.dev.vars`); unset in production (worker/destinations/destination-address.ts).
     */
    ALLOW_PRIVATE_DESTINATIONS?: string;
  }
  namespace Cloudflare {
    interface Env {
      ADMIN_TOKEN: string;
      TEST_MIGRATIONS: D1Migration[];
      ALLOW_PRIVATE_DESTINATIONS?: string;
    }
  }
}

// Secrets and local-only bindings that `wrangler types` cannot see in wrangler.toml (the test-only
// TEST_MIGRATIONS binding is declared in test/worker/test-env.d.ts).

declare global {
  interface Env {
    /** Admin API bearer token (`wrangler secret put ADMIN_TOKEN`; `.dev.vars` locally). */
    ADMIN_TOKEN: string;
    /**
     * `loopback` lets destinations reach 127.0.0.1/::1/localhost, for local development only
     * (`.dev.vars`); unset in production (worker/destinations/destination-address.ts).
     */
    ALLOW_PRIVATE_DESTINATIONS?: string;
  }
  namespace Cloudflare {
    interface Env {
      ADMIN_TOKEN: string;
      ALLOW_PRIVATE_DESTINATIONS?: string;
    }
  }
}

export {};

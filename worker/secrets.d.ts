// Secrets and test-only bindings that `wrangler types` cannot see in wrangler.toml.
interface FoyerSecrets {
  /** Admin API bearer token (`wrangler secret put ADMIN_TOKEN`; `.dev.vars` locally). */
  ADMIN_TOKEN: string;
  /** Set by vitest.config.mts for the worker test project only. */
  TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
}
interface Env extends FoyerSecrets {}
declare namespace Cloudflare {
  interface Env extends FoyerSecrets {}
}

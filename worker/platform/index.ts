// Helpers every room may use: digests and constant-time comparison, HMAC, the audit log, backoff
// and alarm schedules, the D1 schema.
export { auditStatement, recordAudit } from "./audit-log.ts";
export {
  backoffDelaySeconds,
  BASE_DELAY_SECONDS,
  MAX_ATTEMPTS,
  MAX_DELAY_SECONDS,
  RETRY_WINDOW_SECONDS,
} from "./backoff.ts";
export { meterEnabled, meterEnv, meterSnapshot, meterStorage } from "./meter.ts";
export { randomToken, secretsEqual, sha256Hex, toHex } from "./digest.ts";
export { hmacHex, importHmacKey } from "./hmac.ts";
export { alarmWithNewWork, isDue, nextAlarmAt, retryAt } from "./schedule.ts";
export { sources, spaces } from "./schema.ts";
export { ShortCache } from "./short-cache.ts";

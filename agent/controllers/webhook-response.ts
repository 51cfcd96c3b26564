// One place that decides what a refused or accepted webhook answers (STYLE.md §4).
import type { Context } from "hono";
import type { InputDeps, OutboxClass, OutboxMessage } from "./deps.ts";
import { AUTH_ERROR_CODES, type InputErrorBody } from "./input-error.ts";

/**
 * 401 when the delivery is not authenticated (no, wrong or stale credential: RFC 9110 §15.5.2,
 * the request "lacks valid authentication credentials"), 400 for anything malformed. 403 is left
 * to the source allow-list, where credentials would not help.
 */
export function statusFor(error: InputErrorBody): 400 | 401 {
  return AUTH_ERROR_CODES.has(error.code) ? 401 : 400;
}

/** Answers a refused delivery; counts and logs it without the payload (it may hold MACs). */
export function refuseWebhook(
  c: Context,
  deps: InputDeps,
  input: string,
  error: InputErrorBody,
): Response {
  const status = statusFor(error);
  const outcome = status === 400 ? "rejected" : "unauthorized";
  deps.count(`${input}.${outcome}`);
  deps.log.warn("webhook refused", { input, status, code: error.code, field: error.field });
  return c.json({ error }, status);
}

/**
 * Appends synchronously (SQLite commit) and only then answers 200: the vendor's retry is our
 * safety net if the append fails (docs/architecture.md invariant 6).
 */
export function appendThenAccept(
  c: Context,
  deps: InputDeps,
  input: string,
  batches: { messages: OutboxMessage[]; cls: OutboxClass }[],
  record: () => number = () => 0,
): Response {
  let recorded = batches.reduce((n, b) => n + b.messages.length, 0);
  try {
    for (const batch of batches)
      if (batch.messages.length > 0) deps.append(batch.messages, batch.cls);
    recorded += record();
  } catch (cause) {
    deps.count(`${input}.failed`);
    deps.log.error("outbox append failed", { input, error: String(cause) });
    return c.json(
      { error: { code: "outbox_unavailable", field: "$", message: "not recorded, retry" } },
      503,
    );
  }
  deps.count(`${input}.accepted`);
  return c.json({ ok: true, recorded });
}

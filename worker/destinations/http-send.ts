// Sends one prepared request through `ctx.fetch` and turns whatever happens into a DeliveryResult.
// Adapters build requests; this decides what the answer means, so all of them agree.
import { nowFrom, type DeliveryResult, type DestinationContext } from "./adapter.ts";
import { fetchPublicOnly, RefusedDestinationError } from "./checked-fetch.ts";
import { classifyFetchError, classifyStatus, parseRetryAfter } from "./retry.ts";

/** Vendor error bodies can be long or echo input; keep only a bounded prefix. */
const MAX_ERROR_CHARS = 300;

/**
 * Reads a 2xx body for failures the vendor reports inside a success (Braze's `errors`, Mixpanel's
 * `failed_records`, Meta's `events_received`): the silent batch-failure case the reuse experiment
 * found. Returns a result to override "delivered", or undefined when the body confirms success.
 */
export type SuccessInspector = (body: string, response: Response) => DeliveryResult | undefined;

/** Performs the request with a timeout and classifies the outcome. Never throws for HTTP or network failures. */
export async function sendRequest(
  request: Request,
  ctx: DestinationContext,
  inspect?: SuccessInspector,
  /** Sees every response body in full (error bodies are truncated in `error`); for per-record results. */
  captureBody?: (body: string) => void,
): Promise<DeliveryResult> {
  let response: Response;
  try {
    const signal = AbortSignal.timeout(ctx.timeoutMs ?? 10_000);
    response = await fetchPublicOnly(request, ctx.fetch, ctx.addressPolicy ?? "strict", signal);
  } catch (error) {
    if (error instanceof RefusedDestinationError) {
      return { status: "failed", httpStatus: null, error: error.message };
    }
    return classifyFetchError(error);
  }
  const body = await response.text().catch(() => "");
  captureBody?.(body);
  const status = classifyStatus(response.status);
  if (status === "delivered") {
    return inspect?.(body, response) ?? { status, httpStatus: response.status };
  }
  const result: DeliveryResult = {
    status,
    httpStatus: response.status,
    error: `HTTP ${response.status}: ${body.slice(0, MAX_ERROR_CHARS)}`,
  };
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"), nowFrom(ctx));
  if (retryAfter !== undefined) result.retryAfter = retryAfter;
  return result;
}

/** Parses JSON from a vendor body without throwing; undefined when it is not JSON. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Standard JSON POST request. */
export function jsonPost(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(payload),
  });
}

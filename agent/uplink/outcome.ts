// One place decides what an edge answer means for the leased batch (STYLE.md rule 4).
// The edge's contract: 200 = stored, with per-item rejections in `rejected`; 400 = the whole
// batch is invalid; 401 `invalid_write_key`; 429/503 with Retry-After under load.
import { parseRetryAfter } from "./backoff.ts";

export interface ItemRejection {
  index: number;
  code: string;
  field?: string;
  message?: string;
}

export type BatchOutcome =
  | { kind: "delivered"; rejected: ItemRejection[] }
  | { kind: "rejected"; code: string; message: string }
  | { kind: "unauthorized"; code: string }
  | { kind: "retry"; reason: string; retryAfterMs: number | null };

/** Maps an HTTP answer of `/v1/batch` to what the uplink does with the batch. */
export function classifyBatchResponse(
  status: number,
  body: string,
  retryAfter: string | null,
  nowMs: number,
): BatchOutcome {
  const json = parseJson(body);
  if (status >= 200 && status < 300) return { kind: "delivered", rejected: readRejections(json) };
  const code = readErrorCode(json) ?? `http_${status}`;
  if (status === 401 || status === 403) return { kind: "unauthorized", code };
  // 408 and 429 are client-class codes that mean "try again" (RFC 9110 §15.5.9, RFC 6585 §4).
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: "retry", reason: code, retryAfterMs: parseRetryAfter(retryAfter, nowMs) };
  }
  if (status >= 400)
    return { kind: "rejected", code, message: readErrorMessage(json) ?? `HTTP ${status}` };
  return { kind: "retry", reason: `unexpected_status_${status}`, retryAfterMs: null };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function readRejections(json: unknown): ItemRejection[] {
  if (!isRecord(json) || !Array.isArray(json.rejected)) return [];
  return json.rejected.flatMap((r): ItemRejection[] => {
    if (!isRecord(r) || typeof r.index !== "number" || !Number.isInteger(r.index)) return [];
    return [
      {
        index: r.index,
        code: typeof r.code === "string" ? r.code : "rejected",
        ...(typeof r.field === "string" ? { field: r.field } : {}),
        ...(typeof r.message === "string" ? { message: r.message } : {}),
      },
    ];
  });
}

function readErrorCode(json: unknown): string | undefined {
  if (isRecord(json) && isRecord(json.error) && typeof json.error.code === "string")
    return json.error.code;
  return undefined;
}

function readErrorMessage(json: unknown): string | undefined {
  if (isRecord(json) && isRecord(json.error) && typeof json.error.message === "string")
    return json.error.message;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

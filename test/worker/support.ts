// Shared test support for worker tests: the worker's own fetch, admin calls, polling.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ADMIN = { authorization: "Bearer test-admin-token" };

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://foyer.test${path}`, init));
}

export async function admin<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await call(`/admin/v1${path}`, {
    method,
    headers: { ...ADMIN, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json<T>();
}

export interface TestSource {
  spaceId: string;
  sourceId: string;
  writeKey: string;
}

export async function newSource(options: Record<string, unknown> = {}): Promise<TestSource> {
  const { space } = await admin<{ space: { id: string } }>("POST", "/spaces", { name: "test" });
  const { source, writeKey } = await admin<{ source: { id: string }; writeKey: string }>(
    "POST",
    `/spaces/${space.id}/sources`,
    { name: "web", ...options },
  );
  return { spaceId: space.id, sourceId: source.id, writeKey };
}

export function basic(writeKey: string): string {
  return `Basic ${btoa(`${writeKey}:`)}`;
}

export function track(writeKey: string, path: string, body: unknown, headers: HeadersInit = {}) {
  return call(path, {
    method: "POST",
    headers: { authorization: basic(writeKey), "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many events the source's stored (completely written and indexed) archive objects hold. */
export async function storedCount(sourceId: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT COALESCE(SUM(event_count), 0) AS n FROM archive_objects WHERE source_id = ? AND state = 'stored'",
  )
    .bind(sourceId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Every line of the source's stored archive objects (each an event in its stored form). */
export async function storedLines(sourceId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT key FROM archive_objects WHERE source_id = ? AND state = 'stored' ORDER BY received_at, key",
  )
    .bind(sourceId)
    .all<{ key: string }>();
  const lines: string[] = [];
  for (const { key } of results) {
    const object = await env.ARCHIVE.get(key);
    if (object) lines.push(...(await object.text()).split("\n").filter((line) => line !== ""));
  }
  return lines;
}

/** The source's stored events, parsed. */
export async function storedEvents(sourceId: string): Promise<Record<string, unknown>[]> {
  return (await storedLines(sourceId)).map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function archivedObjects(sourceId: string): Promise<string[]> {
  const listing = await env.ARCHIVE.list({ prefix: `source=${sourceId}/` });
  return listing.objects.map((o) => o.key);
}

/** Waits until the source's stored archive objects hold `n` events. */
export function storedEventually(sourceId: string, n: number, timeoutMs = 10_000): Promise<number> {
  return eventually(async () => {
    const count = await storedCount(sourceId);
    return count >= n ? count : undefined;
  }, timeoutMs);
}

/** A Profile API access token of the space (minted by the owner token, which holds the PII grant). */
export async function profileApiToken(spaceId: string): Promise<string> {
  const { accessToken } = await admin<{ accessToken: { token: string } }>(
    "POST",
    `/spaces/${spaceId}/access-tokens`,
    { name: "tests" },
  );
  return accessToken.token;
}

/** Fails naming `where` when `text` holds any of `raws`, case-insensitively. */
export function expectNoneOf(raws: readonly string[], where: string, text: string): void {
  const lower = text.toLowerCase();
  for (const raw of raws) expect(lower, where).not.toContain(raw.toLowerCase());
}

// A small typed client for the edge's admin API (issue 2), used by `npm start`, the benchmark and
// the end-to-end tests to provision spaces and sources and to read stored events back.
import type { NormalizedMessage } from "../worker/message/message.ts";

export interface Space {
  id: string;
  name: string;
  createdAt: string;
}

export interface Source {
  id: string;
  spaceId: string;
  name: string;
  enabled: boolean;
}

export interface SourceSettings {
  name: string;
  retentionDays?: number;
  rateLimit?: { eventsPerSecond: number; burst: number };
}

export interface EventQuery {
  limit?: number;
  cursor?: string;
  userId?: string;
  anonymousId?: string;
  since?: string;
  until?: string;
}

/** A non-2xx admin API answer, with the status and the `{error:{code,message}}` body kept. */
export class AdminApiError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    super(`${method} ${path} answered ${status}: ${body.slice(0, 300)}`);
    this.name = "AdminApiError";
    this.status = status;
    this.body = body;
  }
}

/** Admin API calls against one edge, authenticated with the admin bearer token. */
export class AdminApiClient {
  readonly #base: URL;
  readonly #token: string;

  constructor(base: URL, token: string) {
    this.#base = base;
    this.#token = token;
  }

  async #call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.#base), {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new AdminApiError(method, path, response.status, text);
    return JSON.parse(text) as T;
  }

  /** `POST /admin/v1/spaces`. */
  async createSpace(name: string): Promise<Space> {
    return (await this.#call<{ space: Space }>("POST", "/admin/v1/spaces", { name })).space;
  }

  /** `POST /admin/v1/spaces/:spaceId/access-tokens`: a Profile API token (shown once). */
  async createAccessToken(spaceId: string, name: string): Promise<string> {
    const path = `/admin/v1/spaces/${encodeURIComponent(spaceId)}/access-tokens`;
    return (await this.#call<{ accessToken: { token: string } }>("POST", path, { name }))
      .accessToken.token;
  }

  /** `POST /admin/v1/spaces/:spaceId/sources`: the source and its (only shown once) write key. */
  createSource(
    spaceId: string,
    settings: SourceSettings,
  ): Promise<{ source: Source; writeKey: string }> {
    const path = `/admin/v1/spaces/${encodeURIComponent(spaceId)}/sources`;
    return this.#call("POST", path, settings);
  }

  /** `GET /admin/v1/sources/:sourceId/events`: stored (normalized) events, newest page first. */
  listEvents(
    sourceId: string,
    query: EventQuery = {},
  ): Promise<{ events: NormalizedMessage[]; next: string | null }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    return this.#call("GET", `/admin/v1/sources/${encodeURIComponent(sourceId)}/events?${params}`);
  }

  /** `GET /admin/v1/sources/:sourceId/archive`: the R2 objects of one date/hour partition. */
  listArchive(
    sourceId: string,
    date: string,
    hour: string,
  ): Promise<{ objects: { key: string; size: number }[] }> {
    const params = new URLSearchParams({ date, hour });
    return this.#call("GET", `/admin/v1/sources/${encodeURIComponent(sourceId)}/archive?${params}`);
  }

  /** `GET /admin/v1/archive/object`: one archive object's NDJSON text. */
  async readArchiveObject(key: string): Promise<string> {
    const path = `/admin/v1/archive/object?${new URLSearchParams({ key })}`;
    const response = await fetch(new URL(path, this.#base), {
      headers: { authorization: `Bearer ${this.#token}` },
    });
    const text = await response.text();
    if (!response.ok) throw new AdminApiError("GET", path, response.status, text);
    return text;
  }
}

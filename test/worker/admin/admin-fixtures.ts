// Shared fixtures for the governance tests: spaces with sources, and admin tokens of each role.
import { admin, call, newSource, type TestSource } from "../support.ts";

export interface IssuedToken {
  token: string;
  id: string;
}

/** Issues a space token through the owner's bootstrap route. */
export async function issueToken(
  spaceId: string,
  role: "Admin" | "Editor" | "Auditor",
  grants: string[] = [],
): Promise<IssuedToken> {
  const res = await admin<{ token: string; adminToken: { id: string } }>("POST", "/tokens", {
    spaceId,
    role,
    grants,
  });
  return { token: res.token, id: res.adminToken.id };
}

/** A call with a bearer token; the body is read (or a stream cancelled) so nothing dangles. */
export async function as(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await call(path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if ((res.headers.get("content-type") ?? "").includes("event-stream")) {
    await res.body?.cancel();
    return { status: res.status, json: {} };
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

export function errorCode(json: Record<string, unknown>): string | undefined {
  return (json.error as { code?: string } | undefined)?.code;
}

export type { TestSource };
export { newSource };

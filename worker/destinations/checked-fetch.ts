// Sends a destination request so that it can only ever reach a public host: the URL is checked
// before the first byte leaves, redirects are not followed by the runtime (`redirect: "manual"`)
// but here, each Location checked the same way, within a bounded number of hops. Otherwise a
// public webhook could answer `307 Location: http://169.254.169.254/` and the send would follow.
import { destinationUrlProblem, type AddressPolicy } from "./destination-address.ts";

/** Hops followed before giving up; browsers allow 20, a webhook receiver needs far fewer. */
export const MAX_REDIRECTS = 5;

/** A send refused before or during redirects; permanent, never retried. */
export class RefusedDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefusedDestinationError";
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect changes origin, as the Fetch standard does for Authorization. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/** Whether the Fetch standard turns this redirect into a body-less GET (§4.4 HTTP-redirect fetch). */
function becomesGet(status: number, method: string): boolean {
  return (
    (status === 303 && method !== "HEAD") ||
    ((status === 301 || status === 302) && method === "POST")
  );
}

/**
 * Fetches `request` through `send`, following at most MAX_REDIRECTS redirects itself.
 * @throws RefusedDestinationError when the URL or any Location is not a public http(s) host.
 */
export async function fetchPublicOnly(
  request: Request,
  send: (request: Request) => Promise<Response>,
  policy: AddressPolicy,
  signal?: AbortSignal,
): Promise<Response> {
  let url = request.url;
  let method = request.method;
  const headers = new Headers(request.headers);
  let body = ["GET", "HEAD"].includes(method) ? undefined : await request.arrayBuffer();
  for (let hop = 0; ; hop++) {
    const problem = destinationUrlProblem(url, policy);
    if (problem !== undefined) {
      throw new RefusedDestinationError(`refused ${hop === 0 ? "URL" : "redirect"}: ${problem}`);
    }
    const response = await send(
      new Request(url, { method, headers, body, signal, redirect: "manual" }),
    );
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS)
      throw new RefusedDestinationError(`more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (next.origin !== new URL(url).origin) CREDENTIAL_HEADERS.forEach((h) => headers.delete(h));
    if (becomesGet(response.status, method)) {
      method = "GET";
      body = undefined;
      ["content-type", "content-length"].forEach((h) => headers.delete(h));
    }
    url = next.href;
  }
}

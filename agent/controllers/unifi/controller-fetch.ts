// A `fetch` for the controller's login that goes through `controllerConnector`: Node's global fetch
// cannot take a per-request CA or pin. Only what unifiLoginWith needs: method, headers, a string
// body, no redirects followed (its flavor probe reads the 302 itself), every Set-Cookie kept.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { controllerConnector, type ControllerTrust } from "./trust.ts";

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function toResponse(res: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const status = res.statusCode ?? 500;
  return new Response(NULL_BODY_STATUS.has(status) ? null : new Uint8Array(body), {
    status,
    headers,
  });
}

/** A fetch to one controller with its TLS trust (agent/controllers/unifi/trust.ts). */
export function controllerFetch(trust: ControllerTrust): typeof fetch {
  const createConnection = controllerConnector(trust);
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const secure = url.protocol === "https:";
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: init?.method ?? "GET",
          headers: Object.fromEntries(new Headers(init?.headers).entries()),
          signal: init?.signal ?? undefined,
          ...(secure ? { createConnection: createConnection as never } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => resolve(toResponse(res, Buffer.concat(chunks))));
        },
      );
      req.on("error", reject);
      req.end(typeof init?.body === "string" ? init.body : undefined);
    });
}

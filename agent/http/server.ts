// Thin shell: serves the Hono app with @hono/node-server and reports the bound port.
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface RunningHttp {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = ephemeral); resolves once bound, rejects on EADDRINUSE etc. */
export function startHttp(app: Hono, host: string, port: number): Promise<RunningHttp> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      server.off("error", reject);
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            if ("closeAllConnections" in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.once("error", reject);
  });
}

// The one door delivery uses to reach a vendor's API: the adapters' `ctx.fetch` (delivery.ts). In
// production it is the runtime's fetch. Worker tests run inside workerd, where no HTTP server can
// listen, so they route this door to a receiver worker's fetch handler that records each request
// and answers as a vendor would (test/worker/delivery/receiver.ts).

type Egress = (request: Request) => Promise<Response>;

let route: Egress | undefined;

/** Sends one vendor request through the current route. */
export function egressFetch(request: Request): Promise<Response> {
  return route ? route(request) : fetch(request);
}

/** Routes vendor requests to `handler` (a receiver worker's fetch); `undefined` restores fetch. */
export function routeEgress(handler: Egress | undefined): void {
  route = handler;
}

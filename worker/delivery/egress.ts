// The one door delivery uses to reach a vendor's API: the adapters' `ctx.fetch` (delivery.ts). In
// production it is the runtime's fetch. Adapters address vendors by their public hostnames, which
// have no route from a test machine, so worker tests point this door at the vendor receiver on
// 127.0.0.1 (test/worker/delivery/receiver.ts): each request still leaves workerd as real HTTP,
// with the vendor URL kept in a header.

type Egress = (request: Request) => Promise<Response>;

let route: Egress | undefined;

/** Sends one vendor request through the current route. */
export function egressFetch(request: Request): Promise<Response> {
  return route ? route(request) : fetch(request);
}

/** Routes vendor requests through `handler` (tests: to the receiver); `undefined` restores fetch. */
export function routeEgress(handler: Egress | undefined): void {
  route = handler;
}

// The jitsu-style I/O seam for adapter tests: a `ctx` whose fetch sends each request the adapter
// built, as real HTTP, to the vendor receiver on 127.0.0.1 (test/receiver/vendor-receiver.ts),
// which records what arrived on the wire and answers with what the test scripted.
import type { DestinationContext } from "../../../worker/destinations/adapter.ts";
import { readPath } from "../../../worker/message/event-path.ts";
import type { JsonObject, JsonValue, NormalizedMessage } from "../../../worker/message/message.ts";
import type { ScriptedAnswer } from "../../receiver/protocol.ts";
import { Receiver } from "../delivery/receiver.ts";

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** The receiver drops the connection: the adapter sees a real network error. */
export const CONNECTION_RESET: ScriptedAnswer = { reset: true };
/** The receiver answers only after the adapter's timeout (`HANG_TIMEOUT_MS`) has fired. */
export const HANG: ScriptedAnswer = { delayMs: 3_000 };
export const HANG_TIMEOUT_MS = 300;

export type Answer = Response | ScriptedAnswer;

/** The receiver's form of an answer. */
export async function script(answer: Answer): Promise<ScriptedAnswer> {
  if (!(answer instanceof Response)) return answer;
  return {
    status: answer.status,
    headers: Object.fromEntries(answer.headers),
    body: await answer.clone().text(),
  };
}

/**
 * A context whose fetch goes through the receiver; the receiver answers with `answers` in turn (the
 * last one repeats). `requests` fills with what the receiver recorded, after each request.
 */
export function recordingContext(answers: Answer[], now = Date.parse("2026-01-15T10:00:00Z")) {
  const receiver = new Receiver();
  const requests: RecordedRequest[] = [];
  const ctx: DestinationContext = {
    now: () => now,
    timeoutMs: answers.includes(HANG) ? HANG_TIMEOUT_MS : undefined,
    fetch: async (request) => {
      const answer = answers[Math.min(requests.length, answers.length - 1)];
      if (answer === undefined) throw new Error("no answer configured");
      await receiver.answerNext(await script(answer));
      try {
        return await receiver.fetch(request);
      } finally {
        const arrived = (await receiver.requests()).at(-1);
        if (!arrived) throw new Error(`the receiver saw no request for ${request.url}`);
        const { url, method, headers, body } = arrived;
        requests.push({ url, method, headers, body });
      }
    },
  };
  return { ctx, requests };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A track call shaped like Segment's spec example (ecommerce v2 Order Completed). */
export function orderCompleted(overrides: Partial<NormalizedMessage> = {}): NormalizedMessage {
  return {
    type: "track",
    event: "Order Completed",
    messageId: "msg-0001",
    userId: "user-123",
    anonymousId: "anon-456",
    properties: {
      order_id: "50314b8e",
      total: 27.5,
      revenue: 25,
      currency: "EUR",
      products: [
        { product_id: "507f1f77", sku: "45790-32", name: "Brunch for two", price: 25, quantity: 1 },
      ],
    },
    context: {
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
      page: { url: "https://foyer.example/checkout" },
      traits: { email: " John_Smith@gmail.com ", phone: "+1 (650) 555-1212" },
      library: { name: "analytics.js", version: "2.11.1" },
    },
    integrations: {},
    timestamp: "2026-01-15T09:59:00.000Z",
    originalTimestamp: "2026-01-15T09:59:00.000Z",
    receivedAt: "2026-01-15T09:59:01.000Z",
    version: 2,
    ...overrides,
  };
}

export function identifyCall(overrides: Partial<NormalizedMessage> = {}): NormalizedMessage {
  return {
    type: "identify",
    messageId: "msg-0002",
    userId: "user-123",
    anonymousId: "anon-456",
    traits: {
      email: "guest@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      phone: "+33 6 12 34 56 78",
      plan: "gold",
    },
    context: { ip: "203.0.113.7" },
    integrations: {},
    timestamp: "2026-01-15T09:59:00.000Z",
    originalTimestamp: "2026-01-15T09:59:00.000Z",
    receivedAt: "2026-01-15T09:59:01.000Z",
    version: 2,
    ...overrides,
  };
}

/** A value inside a recorded JSON body, by dot path (`events.0.event_type`). */
export function bodyAt(request: RecordedRequest | undefined, path: string): JsonValue | undefined {
  return readPath(JSON.parse(request?.body ?? "null") as JsonObject, path);
}

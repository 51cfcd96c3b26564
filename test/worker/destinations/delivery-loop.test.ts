import { describe, expect, it } from "vitest";
import { decideNextStep, RETRY_WINDOW_SECONDS } from "../../../worker/destinations/retry.ts";
import { webhookDestination, webhookSettingsSchema } from "../../../worker/destinations/webhook.ts";
import type { DestinationContext } from "../../../worker/destinations/delivery.ts";
import { orderCompleted } from "./recording-fetch.ts";

// The retry loop the delivery worker runs (a Queue message's retry with delaySeconds), played here
// with a simulated clock against a receiver that fails for a while.
const settings = webhookSettingsSchema.parse({
  url: "https://hooks.example.com/x",
  secret: "whsec_0123456789abcdef",
});

async function deliverWithRetries(failures: (attempt: number) => Response | Error) {
  let clock = 0;
  let attempt = 0;
  let received = 0;
  const ctx: DestinationContext = {
    now: () => clock,
    fetch: (request) => {
      attempt += 1;
      const answer = failures(attempt);
      if (answer instanceof Error) return Promise.reject(answer);
      if (answer.ok) received += 1;
      return request.text().then(() => answer);
    },
  };
  for (let guard = 0; guard < 100; guard += 1) {
    const result = await webhookDestination.send(orderCompleted(), settings, ctx);
    const step = decideNextStep({
      result,
      attempts: attempt,
      firstAttemptAt: 0,
      now: clock,
      random: 0.5,
    });
    if (step.action !== "retry")
      return { step, attempts: attempt, received, elapsedSeconds: clock / 1000 };
    clock += step.delaySeconds * 1000;
  }
  throw new Error("loop did not end");
}

describe("delivery with retries", () => {
  it("a receiver down for three attempts gets the event exactly once, on the fourth", async () => {
    const outcome = await deliverWithRetries((n) =>
      n <= 2
        ? new Response("busy", { status: 503 })
        : n === 3
          ? new TypeError("reset")
          : new Response("ok"),
    );
    expect(outcome).toMatchObject({ step: { action: "done" }, attempts: 4, received: 1 });
  });

  it("a 429 with Retry-After waits at least that long", async () => {
    const outcome = await deliverWithRetries((n) =>
      n === 1
        ? new Response("", { status: 429, headers: { "retry-after": "900" } })
        : new Response("ok"),
    );
    expect(outcome.attempts).toBe(2);
    expect(outcome.elapsedSeconds).toBe(900);
  });

  it("a permanent 4xx is dead-lettered at once, without retries", async () => {
    const outcome = await deliverWithRetries(() => new Response("bad", { status: 422 }));
    expect(outcome).toMatchObject({
      step: { action: "dead-letter", reason: "permanent failure" },
      attempts: 1,
      received: 0,
    });
  });

  it("a receiver down for good is retried for 4 hours, then dead-lettered", async () => {
    const outcome = await deliverWithRetries(() => new Response("down", { status: 500 }));
    expect(outcome.step).toEqual({ action: "dead-letter", reason: "retry window exhausted" });
    expect(outcome.elapsedSeconds).toBeGreaterThanOrEqual(RETRY_WINDOW_SECONDS);
    expect(outcome.received).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { decideNextStep, RETRY_WINDOW_SECONDS } from "../../../worker/destinations/retry.ts";
import { webhookDestination, webhookSettingsSchema } from "../../../worker/destinations/webhook.ts";
import type { DestinationContext } from "../../../worker/destinations/adapter.ts";
import { Receiver } from "../delivery/receiver.ts";
import { CONNECTION_RESET, orderCompleted, script, type Answer } from "./recording-fetch.ts";

// The retry loop the delivery worker runs (a Queue message's retry with delaySeconds), played here
// with a simulated clock against the receiver on 127.0.0.1 failing for a while.
const settings = webhookSettingsSchema.parse({
  url: "https://hooks.example.com/x",
  secret: "whsec_0123456789abcdef",
});

async function deliverWithRetries(failures: (attempt: number) => Answer) {
  const receiver = new Receiver();
  let clock = 0;
  let attempt = 0;
  let received = 0;
  const ctx: DestinationContext = {
    now: () => clock,
    fetch: async (request) => {
      attempt += 1;
      const answer = await script(failures(attempt));
      if (!answer.reset && (answer.status ?? 200) < 300) received += 1;
      await receiver.answerNext(answer);
      return receiver.fetch(request);
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
          ? CONNECTION_RESET
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

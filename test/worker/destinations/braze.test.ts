import { describe, expect, it } from "vitest";
import { brazeDestination, brazeSettingsSchema } from "../../../worker/destinations/braze.ts";
import { bodyAt, identifyCall, json, orderCompleted, recordingContext } from "./recording-fetch.ts";

// https://www.braze.com/docs/api/endpoints/user_data/post_user_track/ (Bearer auth; attributes,
// events, purchases arrays), https://www.braze.com/docs/api/errors/#server-responses (201 with
// minor `errors`), https://www.braze.com/docs/api/endpoints/user_data/post_user_delete/.
const settings = brazeSettingsSchema.parse({
  apiKey: "BRAZE_KEY",
  restEndpoint: "https://rest.iad-01.braze.com",
  appId: "app-1",
});
const success = json(
  { message: "success", attributes_processed: 1, events_processed: 1, purchases_processed: 1 },
  201,
);

describe("braze destination", () => {
  it("sends a custom event to /users/track", async () => {
    const { ctx, requests } = recordingContext([success]);
    const event = orderCompleted({
      event: "WiFi Login Completed",
      properties: { venue: "lyon-1" },
    });
    expect(await brazeDestination.send(event, settings, ctx)).toEqual({
      status: "delivered",
      httpStatus: 201,
    });
    expect(requests[0]?.url).toBe("https://rest.iad-01.braze.com/users/track");
    expect(requests[0]?.headers.authorization).toBe("Bearer BRAZE_KEY");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      events: [
        {
          external_id: "user-123",
          app_id: "app-1",
          name: "WiFi Login Completed",
          time: "2026-01-15T09:59:00.000Z",
          properties: { venue: "lyon-1" },
        },
      ],
    });
  });

  it("sends Order Completed products as purchases", async () => {
    const { ctx, requests } = recordingContext([success]);
    await brazeDestination.send(orderCompleted(), settings, ctx);
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      purchases: [
        {
          external_id: "user-123",
          app_id: "app-1",
          product_id: "507f1f77",
          currency: "EUR",
          price: 25,
          quantity: 1,
          time: "2026-01-15T09:59:00.000Z",
          properties: { order_id: "50314b8e" },
        },
      ],
    });
  });

  it("maps identify traits to standard and custom attributes; anonymous users by alias", async () => {
    const { ctx, requests } = recordingContext([success]);
    await brazeDestination.send(
      identifyCall({
        traits: {
          firstName: "Ada",
          email: "a@example.com",
          birthday: "1815-12-10T00:00:00Z",
          address: { city: "London", country: "GB" },
          plan: "gold",
        },
      }),
      settings,
      ctx,
    );
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      attributes: [
        {
          external_id: "user-123",
          first_name: "Ada",
          email: "a@example.com",
          dob: "1815-12-10",
          home_city: "London",
          country: "GB",
          plan: "gold",
        },
      ],
    });
    await brazeDestination.send(
      identifyCall({ userId: undefined, traits: { plan: "x" } }),
      settings,
      ctx,
    );
    expect(bodyAt(requests[1], "attributes.0.user_alias")).toEqual({
      alias_name: "anon-456",
      alias_label: "anonymous_id",
    });
  });

  it("a 201 carrying minor errors is a failure, not a silent success", async () => {
    const partial = json(
      {
        message: "success",
        errors: [
          {
            type: "'external_id' or 'braze_id' or 'user_alias' is required",
            input_array: "events",
            index: 0,
          },
        ],
      },
      201,
    );
    expect(
      await brazeDestination.send(orderCompleted(), settings, recordingContext([partial]).ctx),
    ).toMatchObject({
      status: "failed",
      httpStatus: 201,
      error: expect.stringMatching(/^BRAZE_PARTIAL_FAILURE/) as string,
    });
    const fatal = json({ message: "Invalid API key" }, 401);
    expect(
      (await brazeDestination.send(orderCompleted(), settings, recordingContext([fatal]).ctx))
        .status,
    ).toBe("failed");
    const limited = json({ message: "rate limited" }, 429, { "retry-after": "60" });
    expect(
      await brazeDestination.send(orderCompleted(), settings, recordingContext([limited]).ctx),
    ).toMatchObject({ status: "retry", retryAfter: 60 });
  });

  it("deletes by external id and requires a confirmation", async () => {
    const { ctx, requests } = recordingContext([
      json({ deleted: 1, message: "success" }, 201),
      json({ message: "success" }, 201),
    ]);
    expect(
      (await brazeDestination.deleteUser?.({ userId: "user-123" }, settings, ctx))?.status,
    ).toBe("delivered");
    expect(requests[0]?.url).toBe("https://rest.iad-01.braze.com/users/delete");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({ external_ids: ["user-123"] });
    expect(
      (await brazeDestination.deleteUser?.({ userId: "user-123" }, settings, ctx))?.status,
    ).toBe("failed");
    expect((await brazeDestination.deleteUser?.({ email: "a@b.c" }, settings, ctx))?.error).toMatch(
      /^MISSING_IDENTIFIER/,
    );
  });

  // Page calls and events without an identifier: the adapter contract (adapter-contract.test.ts).
  it("refuses bad settings", () => {
    for (const bad of [
      { apiKey: "k", restEndpoint: "https://evil.example.com" },
      { apiKey: "k", restEndpoint: "http://rest.iad-01.braze.com" },
      { restEndpoint: "https://rest.iad-01.braze.com" },
    ]) {
      expect(brazeSettingsSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe("Braze batches", () => {
  const track = (messageId: string, userId: string) =>
    orderCompleted({ messageId, userId, event: "Product Viewed", properties: {} });

  it("packs events into /users/track requests of at most 75 objects an array, in order", async () => {
    const events = Array.from({ length: 80 }, (_, i) => track(`e-${i}`, `u-${i}`));
    events.splice(3, 0, identifyCall({ messageId: "who", userId: "u-who" }));
    const { ctx, requests } = recordingContext([success]);
    const results = await brazeDestination.sendBatch!(events, settings, ctx);
    expect(results).toHaveLength(81);
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    const bodies = requests.map((r) => JSON.parse(r.body) as Record<string, unknown[]>);
    expect(bodies.map((b) => [b.events?.length ?? 0, b.attributes?.length ?? 0])).toEqual([
      [75, 1],
      [5, 0],
    ]);
    expect(brazeDestination.batchSize!(settings)).toBe(75);
  });

  it("fails only the events whose objects Braze lists in errors", async () => {
    const events = [track("a", "u-a"), track("b", "u-b"), track("c", "u-c")];
    const partial = json(
      {
        message: "success",
        errors: [{ type: "'external_id' is required", input_array: "events", index: 1 }],
      },
      201,
    );
    const { ctx } = recordingContext([partial]);
    const results = await brazeDestination.sendBatch!(events, settings, ctx);
    expect(results.map((r) => r.status)).toEqual(["delivered", "failed", "delivered"]);
    expect(results[1]?.error).toBe("BRAZE_REJECTED: 'external_id' is required");
  });
});

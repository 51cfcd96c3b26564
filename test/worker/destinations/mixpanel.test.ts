import { describe, expect, it } from "vitest";
import {
  mixpanelDestination,
  mixpanelInsertId,
  mixpanelSettingsSchema,
  sendMixpanelBatch,
} from "../../../worker/destinations/mixpanel.ts";
import { identifyCall, json, orderCompleted, recordingContext } from "./recording-fetch.ts";

// https://developer.mixpanel.com/reference/import-events: POST /import?strict=1, Basic auth with the
// project secret, body a JSON array of {event, properties{time, distinct_id, $insert_id}}; with
// strict=1 a 400 lists `failed_records` [{index, $insert_id, field, message}] and imports the rest.
const settings = mixpanelSettingsSchema.parse({ projectToken: "TOKEN", apiSecret: "SECRET" });

describe("mixpanel destination", () => {
  it("imports a track call", async () => {
    const { ctx, requests } = recordingContext([
      json({ code: 200, num_records_imported: 1, status: "OK" }),
    ]);
    expect(await mixpanelDestination.send(orderCompleted(), settings, ctx)).toEqual({
      status: "delivered",
      httpStatus: 200,
    });
    expect(requests[0]?.url).toBe("https://api.mixpanel.com/import?strict=1");
    expect(requests[0]?.headers.authorization).toBe(`Basic ${btoa("SECRET:")}`);
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual([
      {
        event: "Order Completed",
        properties: {
          ...orderCompleted().properties,
          time: Date.parse("2026-01-15T09:59:00.000Z"),
          distinct_id: "user-123",
          $insert_id: "msg-0001",
          $device_id: "anon-456",
          $user_id: "user-123",
          ip: "203.0.113.7",
        },
      },
    ]);
  });

  it("guards the silent batch failure: a rejected record fails alone, the others are delivered", async () => {
    const events = [
      orderCompleted({ messageId: "a-1" }),
      orderCompleted({ messageId: "a-2" }),
      orderCompleted({ messageId: "a-3" }),
    ];
    const partial = json(
      {
        code: 400,
        error: "some data points in the request failed validation",
        failed_records: [
          {
            index: 1,
            $insert_id: "a-2",
            field: "properties.time",
            message: "'properties.time' is invalid",
          },
        ],
        num_records_imported: 2,
        status: "Bad Request",
      },
      400,
    );
    const { ctx, requests } = recordingContext([partial]);
    expect(await sendMixpanelBatch(events, settings, ctx)).toEqual([
      { status: "delivered", httpStatus: 400 },
      {
        status: "failed",
        httpStatus: 400,
        error: "MIXPANEL_RECORD_REJECTED: 'properties.time' is invalid",
      },
      { status: "delivered", httpStatus: 400 },
    ]);
    expect(JSON.parse(requests[0]?.body ?? "")).toHaveLength(3);
  });

  it("a 200 that imported fewer records than sent fails them all rather than reporting success", async () => {
    const { ctx } = recordingContext([json({ code: 200, num_records_imported: 1, status: "OK" })]);
    const results = await sendMixpanelBatch(
      [orderCompleted({ messageId: "b-1" }), orderCompleted({ messageId: "b-2" })],
      settings,
      ctx,
    );
    expect(results.map((r) => r.status)).toEqual(["failed", "failed"]);
  });

  it("keeps unsupported events out of the request and maps whole-batch errors to every record", async () => {
    const { ctx, requests } = recordingContext([json({ error: "unavailable" }, 503)]);
    const results = await sendMixpanelBatch(
      [orderCompleted(), orderCompleted({ type: "group" })],
      settings,
      ctx,
    );
    expect(results[0]).toMatchObject({ status: "retry", httpStatus: 503 });
    expect(results[1]?.error).toMatch(/^UNSUPPORTED_EVENT_TYPE/);
    expect(JSON.parse(requests[0]?.body ?? "")).toHaveLength(1);
  });

  it("hashes messageIds Mixpanel cannot take as $insert_id, stably", async () => {
    expect(await mixpanelInsertId("msg-0001")).toBe("msg-0001");
    const long = await mixpanelInsertId(
      "ajs-next-1768471200000-0c5b3d1e-3a1f-4b7a-9d7e-123456789abc",
    );
    expect(long).toMatch(/^[0-9a-f]{32}$/);
    expect(
      await mixpanelInsertId("ajs-next-1768471200000-0c5b3d1e-3a1f-4b7a-9d7e-123456789abc"),
    ).toBe(long);
    expect(await mixpanelInsertId("has space")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("sets profile traits through Engage and treats status 0 as a failure", async () => {
    const ok = recordingContext([json({ status: 1, error: null })]);
    expect((await mixpanelDestination.send(identifyCall(), settings, ok.ctx)).status).toBe(
      "delivered",
    );
    expect(ok.requests[0]?.url).toBe("https://api.mixpanel.com/engage?verbose=1");
    expect(JSON.parse(ok.requests[0]?.body ?? "")).toEqual([
      { $token: "TOKEN", $distinct_id: "user-123", $set: identifyCall().traits },
    ]);
    const rejected = recordingContext([json({ status: 0, error: "token invalid" })]);
    expect(await mixpanelDestination.send(identifyCall(), settings, rejected.ctx)).toMatchObject({
      status: "failed",
      error: "MIXPANEL_ENGAGE_REJECTED: token invalid",
    });
  });

  it("deletes the profile with $delete", async () => {
    const { ctx, requests } = recordingContext([json({ status: 1, error: null })]);
    expect(
      (await mixpanelDestination.deleteUser?.({ userId: "user-123" }, settings, ctx))?.status,
    ).toBe("delivered");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual([
      { $token: "TOKEN", $distinct_id: "user-123", $delete: null },
    ]);
  });

  it("uses the EU residency host and rejects bad settings", async () => {
    const eu = mixpanelSettingsSchema.parse({ projectToken: "t", apiSecret: "s", region: "eu" });
    const { ctx, requests } = recordingContext([json({ code: 200, num_records_imported: 1 })]);
    await mixpanelDestination.send(orderCompleted(), eu, ctx);
    expect(requests[0]?.url).toBe("https://api-eu.mixpanel.com/import?strict=1");
    for (const bad of [
      {},
      { projectToken: "t" },
      { projectToken: "t", apiSecret: "s", region: "mars" },
    ]) {
      expect(mixpanelSettingsSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("sends a batch as one Engage call for its identifies and one Import call for the rest, answered in order", async () => {
    const { ctx, requests } = recordingContext([
      json({ status: 1, error: null }),
      json({ code: 200, num_records_imported: 2, status: "OK" }),
    ]);
    const events = [
      orderCompleted({ messageId: "b-1" }),
      identifyCall({ messageId: "b-2", userId: "u-2" }),
      identifyCall({ messageId: "b-3", userId: undefined, anonymousId: undefined }),
      orderCompleted({ messageId: "b-4" }),
    ];
    const results = await mixpanelDestination.sendBatch!(events, settings, ctx);
    expect(results.map((r) => r.status)).toEqual(["delivered", "delivered", "failed", "delivered"]);
    expect(results[2]?.error).toMatch(/^MISSING_IDENTIFIER/);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(["/engage", "/import"]);
    const updates = JSON.parse(requests[0]!.body) as { $token: string; $distinct_id: string }[];
    expect(updates.map((u) => [u.$token, u.$distinct_id])).toEqual([["TOKEN", "u-2"]]);
    expect(
      (JSON.parse(requests[1]!.body) as { properties: { $insert_id: string } }[]).map(
        (r) => r.properties.$insert_id,
      ),
    ).toEqual(["b-1", "b-4"]);
    expect(mixpanelDestination.batchSize!(settings)).toBe(2000);
  });
});

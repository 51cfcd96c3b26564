// The contract every destination adapter keeps (worker/destinations/adapter.ts), run as one table:
// a call it does not send and an event nobody can be keyed by are refused with their code and
// without any request; a vendor's 5xx is retried; empty settings are refused by the schema.
import { describe, expect, it } from "vitest";
import {
  DESTINATIONS,
  destinationAdapter,
  type DestinationSlug,
} from "../../../worker/destinations/catalog.ts";
import type { NormalizedMessage } from "../../../worker/message/message.ts";
import { orderCompleted, recordingContext } from "./recording-fetch.ts";

interface ContractRow {
  settings: unknown;
  /** A call type the adapter does not send (none: it sends every type). */
  unsupported?: NormalizedMessage["type"];
  /** Whether an event without userId and anonymousId cannot be sent. */
  needsIdentifier: boolean;
}

const CONTRACT: Record<DestinationSlug, ContractRow> = {
  webhook: {
    settings: { url: "https://hooks.example/in", secret: "whsec_test_0123456789abcdef" },
    needsIdentifier: false,
  },
  amplitude: {
    settings: { apiKey: "AMP_API_KEY", secretKey: "AMP_SECRET" },
    unsupported: "alias",
    needsIdentifier: true,
  },
  mixpanel: { settings: { projectToken: "TOKEN", apiSecret: "SECRET" }, needsIdentifier: false },
  ga4: {
    settings: { measurementId: "G-TEST123", apiSecret: "SECRET" },
    unsupported: "identify",
    needsIdentifier: true,
  },
  braze: {
    settings: {
      apiKey: "BRAZE_KEY",
      restEndpoint: "https://rest.iad-01.braze.com",
      appId: "app-1",
    },
    unsupported: "page",
    needsIdentifier: true,
  },
  klaviyo: {
    settings: { privateApiKey: "pk_0123456789abcdef" },
    unsupported: "screen",
    needsIdentifier: true,
  },
  "meta-conversions": {
    settings: { pixelId: "1234567890", accessToken: "EAAB token" },
    needsIdentifier: false,
  },
};

describe.each(Object.keys(DESTINATIONS) as DestinationSlug[])(
  "%s keeps the adapter contract",
  (slug) => {
    // Looked up as the delivery worker does: the catalog's adapter over unknown settings.
    const adapter = destinationAdapter(slug)!;
    const row = CONTRACT[slug];
    const settings = adapter.settingsSchema.parse(row.settings);

    it("refuses empty settings", () => {
      expect(adapter.settingsSchema.safeParse({}).success).toBe(false);
    });

    if (row.unsupported !== undefined)
      it("refuses a call type it does not send, sending nothing", async () => {
        const { ctx, requests } = recordingContext([new Response(null, { status: 200 })]);
        const result = await adapter.send(orderCompleted({ type: row.unsupported }), settings, ctx);
        expect(result.error).toMatch(/^UNSUPPORTED_EVENT_TYPE/);
        expect(requests).toHaveLength(0);
      });

    if (row.needsIdentifier)
      it("refuses an event nobody can be keyed by, sending nothing", async () => {
        const { ctx, requests } = recordingContext([new Response(null, { status: 200 })]);
        const nobody = orderCompleted({ userId: undefined, anonymousId: undefined, context: {} });
        expect((await adapter.send(nobody, settings, ctx)).error).toMatch(/^MISSING_IDENTIFIER/);
        expect(requests).toHaveLength(0);
      });

    it("batches only with both halves: a batch size and a batch send", () => {
      expect(adapter.sendBatch === undefined).toBe(adapter.batchSize === undefined);
      const size = adapter.batchSize?.(settings) ?? 1;
      expect(Number.isInteger(size) && size >= 1 && size <= 2_000).toBe(true);
    });

    if (adapter.sendBatch)
      it("answers a batch with one result per event, in order, refusals included", async () => {
        const { ctx } = recordingContext([new Response("{}", { status: 503 })]);
        const events = [orderCompleted({ messageId: "c-1" }), orderCompleted({ messageId: "c-2" })];
        if (row.unsupported !== undefined)
          events.push(orderCompleted({ messageId: "c-3", type: row.unsupported }));
        const results = await adapter.sendBatch!(events, settings, ctx);
        expect(results).toHaveLength(events.length);
        expect(results.slice(0, 2).map((r) => r.status)).toEqual(["retry", "retry"]);
        if (row.unsupported !== undefined)
          expect(results[2]?.error).toMatch(/^UNSUPPORTED_EVENT_TYPE/);
      });
  },
);

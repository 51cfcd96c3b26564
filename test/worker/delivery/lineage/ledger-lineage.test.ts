import { describe, expect, it } from "vitest";
import type { LedgerRow } from "../../../../worker/delivery/delivery-ledger.ts";
import { lineageEntry } from "../../../../worker/delivery/lineage/ledger-lineage.ts";
import { parseDestinationConfig } from "../../../../worker/delivery/destination-config.ts";

const webhook = () =>
  parseDestinationConfig(
    {
      slug: "webhook",
      name: "Webhook",
      settings: { url: "https://hooks.example.com/x", secret: "0123456789abcdef" },
    },
    { id: "dst_1", spaceId: "sp_1", version: 1, updatedAt: "2026-01-01T00:00:00.000Z" },
  );

const row = (over: Partial<LedgerRow>): LedgerRow => ({
  message_id: "m-1",
  status: "pending",
  reason: null,
  attempts: 0,
  received_at: 1_000,
  updated_at: 2_000,
  latency_ms: null,
  error: null,
  body: "{}",
  next_attempt_at: 1_000,
  window_start: 1_000,
  origin_at: null,
  source_id: "src",
  dropped: null,
  allow_reason: "CONSENT_GRANTED",
  original: null,
  config_version: 1,
  missing: null,
  ...over,
});

describe("a destination's lineage entry from its ledger row", () => {
  const config = webhook();

  it("answers allowed for what it will send or sent, with attempts and the last error", () => {
    expect(lineageEntry(config, row({}))).toEqual({
      destination: config.name,
      destinationId: config.id,
      status: "pending",
      allowed: true,
      reason: "CONSENT_GRANTED",
      attempts: 0,
      decidedAt: new Date(2_000).toISOString(),
    });
    expect(
      lineageEntry(config, row({ status: "failed", attempts: 3, error: "HTTP 400" })),
    ).toMatchObject({ status: "failed", allowed: true, attempts: 3, error: "HTTP 400" });
    expect(lineageEntry(config, row({ status: "delivered", attempts: 1 }))).not.toHaveProperty(
      "error",
    );
  });

  it("answers refused with the reason, detail and missing consent categories", () => {
    const refused = row({
      status: "filtered",
      reason: "FILTERED_BY_END_USER_CONSENT",
      error: "no consent for Marketing",
      missing: JSON.stringify(["Marketing"]),
    });
    expect(lineageEntry(config, refused)).toMatchObject({
      allowed: false,
      reason: "FILTERED_BY_END_USER_CONSENT",
      detail: "no consent for Marketing",
      missingCategories: ["Marketing"],
    });
    expect(lineageEntry(config, { ...refused, missing: "{not json" }).missingCategories).toEqual(
      [],
    );
  });
});

// An event's lineage: its source, whether and how it is stored (the storage policy's per-field
// report), and for each destination whether it was delivered and why not. `?destination=X`
// answers for one destination: the recorded decision, or, when X never evaluated the event, the
// decision the space's current consent settings give (marked `recorded: false`).
import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import { decideDelivery } from "../privacy/consent.ts";
import { storedForm } from "../privacy/edge-privacy.ts";
import { readSpacePrivacy } from "../privacy/space-settings-store.ts";
import type { NormalizedMessage } from "../spec/message.ts";
import type { AdminEnv } from "./principal.ts";
import { requireSource } from "./sources.ts";

export const lineageAdmin = new Hono<AdminEnv>();

lineageAdmin.get("/sources/:sourceId/events/:messageId/lineage", async (c) => {
  const source = await requireSource(c.env, c.req.param("sourceId"));
  const messageId = c.req.param("messageId");
  const row = await c.env.DB.prepare(
    "SELECT body, received_at FROM events WHERE source_id = ? AND message_id = ?",
  )
    .bind(source.id, messageId)
    .first<{ body: string; received_at: number }>();
  if (!row)
    throw new ApiError(404, "event_not_found", `no stored event ${messageId} in this source`);
  const message = JSON.parse(row.body) as NormalizedMessage;
  const privacy = await readSpacePrivacy(c.env, source.spaceId);
  const storage = await storedForm(message, { ...privacy, ipMode: "keep" });
  const { results } = await c.env.DB.prepare(
    `SELECT destination, allowed, reason, detail, decided_at FROM delivery_decisions
     WHERE source_id = ? AND message_id = ? ORDER BY destination`,
  )
    .bind(source.id, messageId)
    .all<{
      destination: string;
      allowed: number;
      reason: string;
      detail: string;
      decided_at: number;
    }>();
  const deliveries = results.map((r) => ({
    destination: r.destination,
    allowed: r.allowed === 1,
    reason: r.reason,
    ...(JSON.parse(r.detail) as Record<string, unknown>),
    decidedAt: new Date(r.decided_at).toISOString(),
    recorded: true,
  }));
  const wanted = c.req.query("destination");
  if (wanted !== undefined && !deliveries.some((d) => d.destination === wanted)) {
    const decision = decideDelivery(message, wanted, privacy.consent);
    deliveries.push({
      destination: wanted,
      ...decision,
      decidedAt: new Date().toISOString(),
      recorded: false,
    });
  }
  return c.json({
    lineage: {
      sourceId: source.id,
      messageId,
      receivedAt: new Date(row.received_at).toISOString(),
      stored: { fields: storage.fields.map((f) => ({ ...f })) },
      deliveries:
        wanted === undefined ? deliveries : deliveries.filter((d) => d.destination === wanted),
    },
  });
});

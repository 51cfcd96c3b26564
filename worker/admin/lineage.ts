// An event's lineage: its source, whether and how it is stored (read from the R2 archive) (the storage policy's per-field
// report), and for each destination what happened, as its DestinationObject's ledger holds it
// (worker/delivery/lineage/ledger-lineage.ts; a settled row is kept LEDGER_RETENTION_MS, 14 days).
// Every entry has one shape: destination (name), destinationId, status (pending | delivered |
// filtered | retrying | failed; `not_evaluated` when nothing was recorded), allowed, reason, the
// refusal's detail and missing categories, attempts / error, decidedAt and `recorded`. `?destination=X` (a name or a
// destination id) answers for one destination: the record, or, when X never evaluated the event,
// what X's current configuration would decide (the space's consent settings for a name that is
// not a configured destination), marked `recorded: false`.
import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import {
  destinationObject,
  type DestinationConfig,
  judgeEvent,
  type LedgerLineageEntry,
  spaceActivation,
} from "../delivery/index.ts";
import { decideDelivery, storedForm, readSpacePrivacy, storageHashKey } from "../gate/index.ts";
import type { NormalizedMessage } from "../message/index.ts";
import { findArchivedEvent, LOOKUP_MAX_ROWS } from "../archive/index.ts";
import type { AdminEnv } from "./auth/principal.ts";
import { requireSource } from "./sources.ts";

export const lineageAdmin = new Hono<AdminEnv>();

interface LineageEntry {
  destination: string;
  destinationId: string | null;
  status: string;
  allowed: boolean;
  reason: string;
  decidedAt: string;
  recorded: boolean;
  [more: string]: unknown;
}

/** What `wanted` (a configured destination's name or id, else a bare name) would decide now. */
async function unrecorded(
  env: Env,
  spaceId: string,
  wanted: string,
  message: NormalizedMessage,
  consent: Parameters<typeof decideDelivery>[2],
): Promise<LineageEntry> {
  const entry = { status: "not_evaluated", decidedAt: new Date().toISOString(), recorded: false };
  const summary = (await spaceActivation(env, spaceId).destinations()).find(
    (d) => d.name === wanted || d.id === wanted,
  );
  const text = summary ? await destinationObject(env, summary.id).configuration() : null;
  if (!summary || text === null) {
    const decision = decideDelivery(message, wanted, consent);
    return { destination: wanted, destinationId: null, ...decision, ...entry };
  }
  const judged = await judgeEvent(JSON.parse(text) as DestinationConfig, message);
  const decision = judged.deliver
    ? { allowed: true, reason: judged.allowReason }
    : {
        allowed: false,
        reason: judged.reason,
        detail: judged.detail ?? judged.reason,
        missingCategories: judged.missingCategories ?? [],
      };
  return { destination: summary.name, destinationId: summary.id, ...decision, ...entry };
}

lineageAdmin.get("/sources/:sourceId/events/:messageId/lineage", async (c) => {
  const source = await requireSource(c.env, c.req.param("sourceId"));
  const messageId = c.req.param("messageId");
  // The stored event is in the R2 archive, found through its objects' token filters.
  const found = await findArchivedEvent(c.env, source.id, messageId);
  if (!found)
    throw new ApiError(
      404,
      "event_not_found",
      `no stored event ${messageId} in this source's newest ${LOOKUP_MAX_ROWS} archive objects`,
    );
  const message = found.event as unknown as NormalizedMessage;
  const privacy = await readSpacePrivacy(c.env, source.spaceId);
  const storage = await storedForm(
    message,
    { ...privacy, ipMode: "keep" },
    await storageHashKey(privacy.hashSecret),
  );
  // Each destination answers from its own ledger (worker/delivery/lineage/ledger-lineage.ts).
  const destinations = await spaceActivation(c.env, source.spaceId).destinations();
  const answers = await Promise.all(
    destinations.map((d) => destinationObject(c.env, d.id).lineage(source.id, messageId)),
  );
  const deliveries: LineageEntry[] = answers
    .filter((text): text is string => text !== null)
    .map((text) => ({ ...(JSON.parse(text) as LedgerLineageEntry), recorded: true }))
    .sort((a, b) => a.destination.localeCompare(b.destination));
  const wanted = c.req.query("destination");
  const matches = (d: LineageEntry) => d.destination === wanted || d.destinationId === wanted;
  if (wanted !== undefined && !deliveries.some(matches)) {
    deliveries.push(await unrecorded(c.env, source.spaceId, wanted, message, privacy.consent));
  }
  return c.json({
    lineage: {
      sourceId: source.id,
      messageId,
      receivedAt: message.receivedAt,
      stored: { fields: storage.fields.map((f) => ({ ...f })) },
      deliveries: wanted === undefined ? deliveries : deliveries.filter(matches),
    },
  });
});

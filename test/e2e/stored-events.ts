// Reads what the edge stored for a source, through its admin API: its stored events (paged) and
// the R2 archive partitions. The queue consumer writes asynchronously after the 200, so readers
// poll until the expected messageIds are there or a deadline passes (never a fixed sleep).
import type { AdminApiClient } from "../../scripts/admin-api-client.ts";
import type { NormalizedMessage } from "../../worker/message/message.ts";

const POLL_MS = 250;

/** Every stored event of a source, keyed by messageId (all pages). */
export async function storedEvents(
  admin: AdminApiClient,
  sourceId: string,
): Promise<Map<string, NormalizedMessage>> {
  const byId = new Map<string, NormalizedMessage>();
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const { events, next } = await admin.listEvents(sourceId, { limit: 500, cursor });
    for (const event of events) byId.set(event.messageId, event);
    if (next === null) break;
    cursor = next;
  }
  return byId;
}

/** Every archived (R2) event of a source for the given receipt hours, keyed by messageId. */
export async function archivedEvents(
  admin: AdminApiClient,
  sourceId: string,
  receivedAts: Iterable<string>,
): Promise<Map<string, NormalizedMessage>> {
  const partitions = new Set(
    [...receivedAts].map((at) => `${at.slice(0, 10)}T${at.slice(11, 13)}`),
  );
  const byId = new Map<string, NormalizedMessage>();
  for (const partition of partitions) {
    const [date = "", hour = ""] = partition.split("T");
    const { objects } = await admin.listArchive(sourceId, date, hour);
    for (const object of objects) {
      const text = await admin.readArchiveObject(object.key);
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const event = JSON.parse(line) as NormalizedMessage;
        byId.set(event.messageId, event);
      }
    }
  }
  return byId;
}

/**
 * Polls `read` until every id in `messageIds` is in its result or `timeoutMs` passes; returns
 * the last result either way (the caller's assertions then say what is missing).
 */
export async function waitForMessageIds(
  read: () => Promise<Map<string, NormalizedMessage>>,
  messageIds: readonly string[],
  timeoutMs: number,
): Promise<Map<string, NormalizedMessage>> {
  const deadline = Date.now() + timeoutMs;
  let found = await read();
  while (!messageIds.every((id) => found.has(id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    found = await read();
  }
  return found;
}

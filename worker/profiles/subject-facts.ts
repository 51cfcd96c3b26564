// What a profile's own data says about who the person is: the ids and emails in its traits and
// event history, and which events it holds. Pure; the ProfileObject feeds it its rows.
import { isRecord } from "../gate/index.ts";
import { eventRef } from "../message/index.ts";
import type { ResolvedSubjects } from "../governance/index.ts";

export interface HistoryRow {
  sourceId: string;
  messageId: string;
  body: string;
}

function emailOf(value: unknown): string | undefined {
  return typeof value === "string" && value.includes("@") ? value.trim().toLowerCase() : undefined;
}

/** The subjects a profile's traits and history name. */
export function subjectFacts(
  traits: Readonly<Record<string, unknown>>,
  history: readonly HistoryRow[],
): Pick<ResolvedSubjects, "userIds" | "anonymousIds" | "emails" | "events"> {
  const userIds = new Set<string>();
  const anonymousIds = new Set<string>();
  const emails = new Set<string>();
  const events: string[] = [];
  const addEmail = (value: unknown) => {
    const email = emailOf(value);
    if (email) emails.add(email);
  };
  addEmail(traits.email);
  for (const row of history) {
    events.push(eventRef(row.sourceId, row.messageId));
    let body: unknown;
    try {
      body = JSON.parse(row.body);
    } catch {
      continue;
    }
    if (!isRecord(body)) continue;
    if (typeof body.userId === "string") userIds.add(body.userId);
    if (typeof body.anonymousId === "string") anonymousIds.add(body.anonymousId);
    if (typeof body.previousId === "string") userIds.add(body.previousId);
    if (isRecord(body.traits)) addEmail(body.traits.email);
    const context = body.context;
    if (isRecord(context) && isRecord(context.traits)) addEmail(context.traits.email);
  }
  return {
    userIds: [...userIds],
    anonymousIds: [...anonymousIds],
    emails: [...emails],
    events,
  };
}

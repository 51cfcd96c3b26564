// The part of the edge PII policy that holds for every store and every destination: fields of the
// always-dropped classes (card numbers, IBANs, credentials, unscannable subtrees) are removed
// before the event is admitted to the Queue. Every later store — the D1 index, the R2 archive,
// the debugger, the identity graph, profiles, destination ledgers — reads the queued copy, so
// applying it here, once, is what keeps raw values out of all of them (see README "PII").
import type { JsonObject, NormalizedMessage } from "../../message/index.ts";
import {
  ALWAYS_DROPPED,
  classifyMessage,
  ENVELOPE_IDS,
  ENVELOPE_TEXT,
  type FieldPath,
} from "./classifier.ts";

/** What an event name or page name holding a card number or IBAN becomes. */
export const REDACTED_TEXT = "[redacted]";

type Container = JsonObject | unknown[];

function parentOf(root: unknown, path: FieldPath): Container | undefined {
  let node = root;
  for (const part of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node !== null && typeof node === "object" ? (node as Container) : undefined;
}

/**
 * A copy of `message` without any always-dropped field (array elements become `null` so other
 * paths stay valid), and how many fields were removed. The input is not changed.
 */
export function dropRedFields(message: NormalizedMessage): {
  message: NormalizedMessage;
  dropped: number;
} {
  const red = classifyMessage(message).filter((field) => ALWAYS_DROPPED.has(field.class));
  if (red.length === 0) return { message, dropped: 0 };
  const copy = structuredClone(message);
  const envelope = copy as unknown as Record<string, unknown>;
  for (const field of red) {
    const [top] = field.path;
    if (field.path.length === 1 && typeof top === "string" && ENVELOPE_TEXT.has(top)) {
      // The call stays a valid track/page: only its name loses the number.
      envelope[top] = REDACTED_TEXT;
      continue;
    }
    if (field.path.length === 1 && typeof top === "string" && ENVELOPE_IDS.has(top)) {
      // An id that is a card number or IBAN: dropped when another id names the person; else a
      // fresh id, so the event still has one and matches nobody.
      delete envelope[top];
      if (typeof envelope.userId !== "string" && typeof envelope.anonymousId !== "string")
        envelope.anonymousId = `redacted-${crypto.randomUUID()}`;
      continue;
    }
    const parent = parentOf(copy, field.path);
    const key = field.path[field.path.length - 1];
    if (!parent || key === undefined) continue;
    if (Array.isArray(parent)) parent[key as number] = null;
    else delete (parent as Record<string, unknown>)[key as string];
  }
  return { message: copy, dropped: red.length };
}

// Applies a PII policy to a message: each classified field is kept, hashed (SHA-256 hex of its
// normalized form, see pii-normalize.ts) or dropped. Card numbers, IBANs and credentials are
// dropped whatever the policy says. The input is never changed; the report says what happened
// to each field by path and class, and never holds a value.
import { sha256Hex } from "../../platform/index.ts";
import {
  type JsonObject,
  type JsonValue,
  type NormalizedMessage,
  ownValue,
} from "../../message/index.ts";
import { applyIpMode, type IpMode } from "../ip.ts";
import {
  ALWAYS_DROPPED,
  classifyMessage,
  formatPath,
  type FieldPath,
  type PiiClass,
  type PiiField,
} from "./classifier.ts";
import { normalizeForHash } from "./hash-form.ts";
import { keyedHex } from "./storage-hash.ts";
import type { PiiAction, PiiPolicy } from "./policy-types.ts";

export type FieldOutcome = "kept" | "hashed" | "dropped" | "truncated";

export interface PiiReportEntry {
  /** Display path, e.g. `traits.address.street`. */
  path: string;
  class: PiiClass;
  matchedBy: PiiField["matchedBy"];
  outcome: FieldOutcome;
  /** For `hashed`: false when a value did not fit its class's normal form (hashed trimmed, lower-cased). */
  normalized?: boolean;
}

export interface PiiPolicyResult {
  message: NormalizedMessage;
  report: PiiReportEntry[];
}

export interface ApplyOptions {
  /** A classification computed earlier (default: classify now). */
  fields?: readonly PiiField[];
  /**
   * The space's storage hash key: `hashed` then means HMAC-SHA256 under it (storage-hash.ts).
   * Without it, SHA-256 (the form vendors require of hashes sent to them).
   */
  hashKey?: CryptoKey;
  /** The source's IP mode, applied to `ip` fields kept raw (default `keep`: no change). */
  ipMode?: IpMode;
}

/** The action a policy takes on a class; the always-dropped classes ignore the policy. */
export function actionFor(policy: PiiPolicy, cls: PiiClass): PiiAction {
  if (ALWAYS_DROPPED.has(cls)) return "dropped";
  return ownValue(policy.classes, cls) ?? policy.default;
}

type Container = JsonObject | JsonValue[];

function parentOf(root: JsonObject, path: FieldPath): Container | undefined {
  let node: JsonValue | undefined = root;
  for (const part of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = Array.isArray(node) ? node[part as number] : node[part as string];
  }
  return node !== null && typeof node === "object" ? node : undefined;
}

function remove(parent: Container, key: string | number): void {
  // Array elements become null so the paths of the other reported fields stay valid.
  if (Array.isArray(parent)) parent[key as number] = null;
  else delete parent[key as string];
}

async function hashTree(
  value: JsonValue,
  cls: PiiClass,
  policy: PiiPolicy,
  flags: boolean[],
  hashKey: CryptoKey | undefined,
): Promise<JsonValue> {
  if (typeof value === "string" || typeof value === "number") {
    const normal = normalizeForHash(cls, value, policy);
    flags.push(normal.normalized);
    return hashKey ? keyedHex(hashKey, normal.value) : sha256Hex(normal.value);
  }
  if (Array.isArray(value))
    return Promise.all(value.map((item) => hashTree(item, cls, policy, flags, hashKey)));
  if (value !== null && typeof value === "object") {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value))
      out[key] = await hashTree(child, cls, policy, flags, hashKey);
    return out;
  }
  return value;
}

/**
 * Applies `policy` to `message` and returns a new message plus a per-field report.
 * Fields are handled in the order the classifier found them; none overlaps another.
 */
export async function applyPiiPolicy(
  message: NormalizedMessage,
  policy: PiiPolicy,
  options: ApplyOptions = {},
): Promise<PiiPolicyResult> {
  const fields = options.fields ?? classifyMessage(message);
  const copy = structuredClone(message);
  const root = copy as unknown as JsonObject;
  const report: PiiReportEntry[] = [];
  for (const field of fields) {
    const parent = parentOf(root, field.path);
    const key = field.path[field.path.length - 1];
    if (!parent || key === undefined) continue;
    const current = Array.isArray(parent) ? parent[key as number] : parent[key as string];
    if (current === undefined) continue;
    const entry: PiiReportEntry = {
      path: formatPath(field.path),
      class: field.class,
      matchedBy: field.matchedBy,
      outcome: "kept",
    };
    const action = actionFor(policy, field.class);
    if (action === "dropped") {
      remove(parent, key);
      entry.outcome = "dropped";
    } else if (action === "hashed") {
      const flags: boolean[] = [];
      const hashed = await hashTree(current, field.class, policy, flags, options.hashKey);
      if (Array.isArray(parent)) parent[key as number] = hashed;
      else parent[key as string] = hashed;
      entry.outcome = "hashed";
      entry.normalized = flags.every(Boolean);
    } else if (field.class === "ip" && options.ipMode && options.ipMode !== "keep") {
      const ip = applyIpMode(current, options.ipMode);
      if (ip.action === "dropped") remove(parent, key);
      else if (Array.isArray(parent)) parent[key as number] = ip.value;
      else parent[key as string] = ip.value;
      entry.outcome = ip.action;
    }
    report.push(entry);
  }
  return { message: copy, report };
}

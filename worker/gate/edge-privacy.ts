// The privacy rules in the order the edge applies them to one accepted event, as one pure entry
// point for the ingest path and the delivery queue: the stored form (storage policy and the
// source's IP mode) and, per destination, the consent decision and the destination's form. The
// event is classified once. Every outcome carries its reason and per-field report, which is what
// the event's lineage records.
import type { NormalizedMessage } from "../message/index.ts";
import { decideDelivery } from "./consent/event.ts";
import type { ConsentSettings } from "./consent/settings.ts";
import type { DeliveryDecision } from "./decision.ts";
import type { IpMode } from "./ip.ts";
import { classifyMessage, type PiiField } from "./pii/classifier.ts";
import { applyPiiPolicy, type PiiReportEntry } from "./pii/policy.ts";
import { policyForDestination, type PrivacyPolicy } from "./pii/policy-types.ts";

export interface EdgePrivacyConfig {
  consent: ConsentSettings;
  policy: PrivacyPolicy;
  /** The source's IP mode (default `truncate`). */
  ipMode: IpMode;
}

export interface DestinationOutcome {
  decision: DeliveryDecision;
  /** The event as this destination receives it; absent when the decision refuses it. */
  message?: NormalizedMessage;
  fields?: PiiReportEntry[];
}

/**
 * The event as the archive, the D1 index and the debugger keep it, with what was done to each
 * field: PII hashed under the space's storage key (storage-hash.ts).
 */
export async function storedForm(
  message: NormalizedMessage,
  config: EdgePrivacyConfig,
  hashKey: CryptoKey,
  fields: readonly PiiField[] = classifyMessage(message),
): Promise<{ message: NormalizedMessage; fields: PiiReportEntry[] }> {
  const result = await applyPiiPolicy(message, config.policy.storage, {
    fields,
    ipMode: config.ipMode,
    hashKey,
  });
  return { message: result.message, fields: result.report };
}

/** For each destination: may it receive the event, and in which form. */
export async function destinationForms(
  message: NormalizedMessage,
  destinations: readonly string[],
  config: EdgePrivacyConfig,
  fields: readonly PiiField[] = classifyMessage(message),
): Promise<Record<string, DestinationOutcome>> {
  const out: Record<string, DestinationOutcome> = {};
  for (const destination of destinations) {
    const decision = decideDelivery(message, destination, config.consent);
    if (!decision.allowed) {
      out[destination] = { decision };
      continue;
    }
    const policy = policyForDestination(config.policy, destination);
    const result = await applyPiiPolicy(message, policy, { fields, ipMode: config.ipMode });
    out[destination] = { decision, message: result.message, fields: result.report };
  }
  return out;
}

// Validates PII policies from the admin API into typed values, refusing with the exact field.
import { ALWAYS_DROPPED, PII_CLASSES, type PiiClass } from "./classifier.ts";
import {
  DEFAULT_PII_POLICY,
  PII_ACTIONS,
  type PiiAction,
  type PiiPolicy,
  type PrivacyPolicy,
} from "./policy-types.ts";
import { PrivacyInputError, isRecord } from "../privacy-input-error.ts";

function assertKnownFields(
  input: Record<string, unknown>,
  allowed: readonly string[],
  at: string,
): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) {
      throw new PrivacyInputError(
        "unknown_field",
        at === "" ? key : `${at}.${key}`,
        `unknown field "${key}"`,
      );
    }
  }
}

function action(value: unknown, field: string): PiiAction {
  if (typeof value === "string" && (PII_ACTIONS as readonly string[]).includes(value))
    return value as PiiAction;
  throw new PrivacyInputError("invalid_action", field, `must be one of ${PII_ACTIONS.join(", ")}`);
}

/**
 * Validates one policy; missing fields take {@link DEFAULT_PII_POLICY}'s values.
 * @throws PrivacyInputError naming the field: unknown class or action, a card-number/IBAN/
 *   credential class set to anything but `dropped`, a bad phone format or calling code.
 */
export function parsePiiPolicy(input: unknown, at = ""): PiiPolicy {
  if (!isRecord(input))
    throw new PrivacyInputError("not_an_object", at, "a policy must be an object");
  assertKnownFields(input, ["classes", "default", "phoneFormat", "defaultCallingCode"], at);
  const prefix = at === "" ? "" : `${at}.`;
  const classes: Partial<Record<PiiClass, PiiAction>> = { ...DEFAULT_PII_POLICY.classes };
  const rawClasses = input.classes ?? {};
  if (!isRecord(rawClasses)) {
    throw new PrivacyInputError(
      "not_an_object",
      `${prefix}classes`,
      "must map PII classes to actions",
    );
  }
  for (const [name, value] of Object.entries(rawClasses)) {
    const field = `${prefix}classes.${name}`;
    if (!(PII_CLASSES as readonly string[]).includes(name)) {
      throw new PrivacyInputError(
        "unknown_class",
        field,
        `unknown PII class; known: ${PII_CLASSES.join(", ")}`,
      );
    }
    const chosen = action(value, field);
    if (ALWAYS_DROPPED.has(name as PiiClass) && chosen !== "dropped") {
      throw new PrivacyInputError(
        "always_dropped",
        field,
        `${name} is always dropped and cannot be ${chosen}`,
      );
    }
    classes[name as PiiClass] = chosen;
  }
  const fallback =
    input.default === undefined
      ? DEFAULT_PII_POLICY.default
      : action(input.default, `${prefix}default`);
  const phoneFormat = input.phoneFormat ?? DEFAULT_PII_POLICY.phoneFormat;
  if (phoneFormat !== "e164" && phoneFormat !== "digits") {
    throw new PrivacyInputError(
      "invalid_phone_format",
      `${prefix}phoneFormat`,
      "must be e164 or digits",
    );
  }
  const policy: PiiPolicy = { classes, default: fallback, phoneFormat };
  if (input.defaultCallingCode !== undefined) {
    // ITU-T E.164 country codes are 1–3 digits and never start with 0.
    if (
      typeof input.defaultCallingCode !== "string" ||
      !/^[1-9]\d{0,2}$/.test(input.defaultCallingCode)
    ) {
      throw new PrivacyInputError(
        "invalid_calling_code",
        `${prefix}defaultCallingCode`,
        'must be 1–3 digits without "+", e.g. "44"',
      );
    }
    policy.defaultCallingCode = input.defaultCallingCode;
  }
  return policy;
}

/** Validates a space's privacy policy: `storage`, `destinations`, `destinationDefault`. */
export function parsePrivacyPolicy(input: unknown): PrivacyPolicy {
  if (!isRecord(input)) throw new PrivacyInputError("not_an_object", "", "must be a JSON object");
  assertKnownFields(input, ["storage", "destinations", "destinationDefault"], "");
  const rawDestinations = input.destinations ?? {};
  if (!isRecord(rawDestinations)) {
    throw new PrivacyInputError(
      "not_an_object",
      "destinations",
      "must map destination names to policies",
    );
  }
  const destinations: Record<string, PiiPolicy> = {};
  for (const [name, value] of Object.entries(rawDestinations)) {
    if (name.trim() === "")
      throw new PrivacyInputError(
        "invalid_destination",
        "destinations",
        "a destination name is empty",
      );
    destinations[name] = parsePiiPolicy(value, `destinations.${name}`);
  }
  return {
    storage: parsePiiPolicy(input.storage ?? {}, "storage"),
    destinations,
    destinationDefault: parsePiiPolicy(input.destinationDefault ?? {}, "destinationDefault"),
  };
}

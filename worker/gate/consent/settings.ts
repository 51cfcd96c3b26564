// A space's consent configuration and its validator. Category ids follow Segment's rules
// (https://segment.com/docs/privacy/consent-management/, `src/privacy/consent-management/configure-consent-categories.md`): case-
// sensitive, not starting with a number, shorter than 35 characters.
import { PrivacyInputError, isRecord } from "../privacy-input-error.ts";

export interface ConsentSettings {
  /** The consent category ids configured in the space. */
  categories: readonly string[];
  /** Destination name (as in the integrations object, case-sensitive) → categories it is mapped to. */
  destinations: Readonly<Record<string, readonly string[]>>;
  /** When true, an event without a consent object counts as "strictly necessary only". */
  requireConsent: boolean;
  /** Categories that count as granted when consent is required but absent from an event. */
  strictlyNecessary: readonly string[];
}

/** No categories, nothing mapped, consent not required: Segment's behaviour before any setup. */
export const DEFAULT_CONSENT_SETTINGS: ConsentSettings = {
  categories: [],
  destinations: {},
  requireConsent: false,
  strictlyNecessary: [],
};

/** Segment: "can't start with a number", "less than 35 characters"; Foyer also refuses whitespace. */
const CATEGORY_ID = /^[^\d\s][^\s]{0,33}$/;

function categoryList(value: unknown, field: string, known?: ReadonlySet<string>): string[] {
  if (!Array.isArray(value)) throw new PrivacyInputError("not_an_array", field, "must be an array");
  const seen = new Set<string>();
  value.forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (typeof item !== "string" || !CATEGORY_ID.test(item)) {
      throw new PrivacyInputError(
        "invalid_category_id",
        at,
        "a category id is 1–34 characters without spaces and does not start with a digit",
      );
    }
    if (seen.has(item))
      throw new PrivacyInputError("duplicate_category", at, `"${item}" is listed twice`);
    if (known && !known.has(item)) {
      throw new PrivacyInputError("unknown_category", at, `"${item}" is not a configured category`);
    }
    seen.add(item);
  });
  return [...seen];
}

/**
 * Validates a consent configuration from the admin API into a typed value.
 * @throws PrivacyInputError naming the offending field; nothing is applied.
 */
export function parseConsentSettings(input: unknown): ConsentSettings {
  if (!isRecord(input)) throw new PrivacyInputError("not_an_object", "", "must be a JSON object");
  for (const key of Object.keys(input)) {
    if (!["categories", "destinations", "requireConsent", "strictlyNecessary"].includes(key)) {
      throw new PrivacyInputError("unknown_field", key, `unknown field "${key}"`);
    }
  }
  const categories = categoryList(input.categories ?? [], "categories");
  const known = new Set(categories);
  const rawDestinations = input.destinations ?? {};
  if (!isRecord(rawDestinations)) {
    throw new PrivacyInputError(
      "not_an_object",
      "destinations",
      "must map destination names to categories",
    );
  }
  const destinations: Record<string, string[]> = {};
  for (const [name, mapped] of Object.entries(rawDestinations)) {
    if (name.trim() === "") {
      throw new PrivacyInputError(
        "invalid_destination",
        "destinations",
        "a destination name is empty",
      );
    }
    const list = categoryList(mapped, `destinations.${name}`, known);
    if (list.length === 0) {
      throw new PrivacyInputError(
        "empty_mapping",
        `destinations.${name}`,
        "map at least one category, or leave the destination out (unmapped)",
      );
    }
    destinations[name] = list;
  }
  const requireConsent = input.requireConsent ?? false;
  if (typeof requireConsent !== "boolean") {
    throw new PrivacyInputError("not_a_boolean", "requireConsent", "must be true or false");
  }
  const strictlyNecessary = categoryList(input.strictlyNecessary ?? [], "strictlyNecessary", known);
  return { categories, destinations, requireConsent, strictlyNecessary };
}

// Finds personal data in an event's traits, properties and context, by key and by value, the way
// Segment's Privacy Portal matchers do (https://segment.com/docs/privacy/portal/: key or value, Yellow/Red classes). Keys
// are compared case- and format-insensitively (`firstName`, `first_name`, `First Name`). A key
// match classifies its whole subtree (`traits.address` with street, city, …); elsewhere each
// string is tested against the value patterns.
import type { JsonValue, NormalizedMessage } from "../../message/index.ts";
import {
  findEmbeddedPayment,
  isCardNumber,
  isEmail,
  isIban,
  isIpAddress,
  isMacAddress,
  isPhoneNumber,
} from "../../message/index.ts";

export const PII_CLASSES = [
  "email",
  "phone",
  "first_name",
  "last_name",
  "full_name",
  "address",
  "birthday",
  "ip",
  "mac",
  "national_id",
  "credential",
  "card_number",
  "iban",
  "unscannable",
] as const;
export type PiiClass = (typeof PII_CLASSES)[number];

/** Never kept or forwarded in any form, whatever a policy says (Segment's Red classes). */
export const ALWAYS_DROPPED: ReadonlySet<PiiClass> = new Set([
  "card_number",
  "iban",
  "credential",
  "unscannable",
]);

export type FieldPath = readonly (string | number)[];

export interface PiiField {
  path: FieldPath;
  class: PiiClass;
  matchedBy: "key" | "value";
}

// A Map, not an object: a key named `constructor` must not find Object's constructor.
const KEYS = new Map<string, PiiClass>();
function keys(cls: PiiClass, names: string): void {
  for (const name of names.split(" ")) KEYS.set(name, cls);
}
keys("email", "email emailaddress mail useremail customeremail contactemail");
keys("phone", "phone phonenumber mobile mobilephone mobilenumber cellphone telephone tel msisdn");
keys("first_name", "firstname givenname fname forename");
keys("last_name", "lastname surname familyname lname");
keys("full_name", "fullname customername");
keys(
  "address",
  "address streetaddress street addressline1 addressline2 address1 address2 postalcode postcode zip zipcode",
);
keys("birthday", "birthday birthdate dateofbirth dob");
keys("ip", "ip ipaddress clientip remoteip userip ipv4 ipv6");
keys("mac", "mac macaddress clientmac devicemac stamac");
keys("national_id", "ssn socialsecuritynumber passport passportnumber nationalid taxid");
keys("credential", "password passwd passcode");
keys("card_number", "creditcard creditcardnumber cardnumber ccnumber cvv cvc");
keys("iban", "iban");

/** `First Name`, `first_name`, `firstName`, `FIRST-NAME` → `firstname`. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Subtrees whose key names would mislead (a consent category named `email`, a library named
 * `phone`): their keys are matched only for the Red classes (`password`), but every value still
 * is, for the Red classes, emails and phones (not IPs or MACs, which version strings look like).
 */
const KEYS_NOT_MATCHED: readonly string[] = [
  "context.consent",
  "context.library",
  "context.protocols",
  "context.userAgentData",
];
/** Depth beyond which a subtree is not scanned but dropped whole (bounds the walk). */
export const MAX_SCAN_DEPTH = 24;

function keyClass(key: string, parent: FieldPath, accountTraits: boolean): PiiClass | undefined {
  const normalized = normalizeKey(key);
  const found = KEYS.get(normalized);
  if (found) return found;
  // `name` is a person's name only as a top-level user trait; elsewhere it names a page, a
  // product, an app or a company (Segment Spec §2.2–2.4) — and a `group` call's traits describe
  // the account (Spec §2.3), so its `traits.name` is the company's.
  const isTraitsRoot =
    (parent.length === 1 && parent[0] === "traits" && !accountTraits) ||
    (parent.length === 2 && parent[0] === "context" && parent[1] === "traits");
  return isTraitsRoot && normalized === "name" ? "full_name" : undefined;
}

/** The class of a single value by pattern, or `undefined`. */
export function valueClass(value: JsonValue): PiiClass | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && isCardNumber(String(value)) ? "card_number" : undefined;
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (isCardNumber(text)) return "card_number";
  if (isIban(text)) return "iban";
  if (isEmail(text)) return "email";
  if (isMacAddress(text)) return "mac";
  if (isIpAddress(text)) return "ip";
  if (isPhoneNumber(text)) return "phone";
  return findEmbeddedPayment(value);
}

/** How a subtree is scanned: key names and values, or values only. */
type Scan = "keys and values" | "values only";

/** Classes a value-only scan reports: IP- and MAC-shaped strings there are versions and ids. */
const VALUE_ONLY_CLASSES: ReadonlySet<PiiClass> = new Set([
  "card_number",
  "iban",
  "email",
  "phone",
]);

function walk(
  value: JsonValue,
  path: (string | number)[],
  out: PiiField[],
  accountTraits = false,
  scan: Scan = "keys and values",
): void {
  if (scan === "keys and values" && KEYS_NOT_MATCHED.includes(path.join("."))) scan = "values only";
  if (path.length > MAX_SCAN_DEPTH) {
    out.push({ path: [...path], class: "unscannable", matchedBy: "value" });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, [...path, i], out, accountTraits, scan));
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      // Value-only subtrees still drop Red keys (`password`, `cardNumber`): those never mislead.
      const byKey = keyClass(key, path, accountTraits);
      const cls =
        scan === "keys and values" || (byKey && ALWAYS_DROPPED.has(byKey)) ? byKey : undefined;
      if (cls && child !== null) out.push({ path: [...path, key], class: cls, matchedBy: "key" });
      else walk(child, [...path, key], out, accountTraits, scan);
    }
    return;
  }
  const cls = valueClass(value);
  if (cls && (scan === "keys and values" || VALUE_ONLY_CLASSES.has(cls)))
    out.push({ path: [...path], class: cls, matchedBy: "value" });
}

/**
 * Top-level fields of the Segment envelope: structural ones are never scanned (a messageId or a
 * timestamp is not personal data, and rewriting it would break dedup), the rest are scanned by
 * value only (an email used as a userId, a card number in an event name). Any other top-level
 * key is a custom field and is scanned by key and value.
 */
const STRUCTURAL = new Set([
  "type",
  "messageId",
  "timestamp",
  "originalTimestamp",
  "sentAt",
  "receivedAt",
  "integrations",
  "version",
  "channel",
  "writeKey",
  "traits",
  "properties",
  "context",
]);
export const ENVELOPE_TEXT: ReadonlySet<string> = new Set(["event", "name", "category"]);
export const ENVELOPE_IDS: ReadonlySet<string> = new Set([
  "userId",
  "anonymousId",
  "previousId",
  "groupId",
]);

/**
 * Every personal-data field of a message: `traits`, `properties` and `context`, the envelope's
 * ids, event and name by value, and any other top-level field by key and value.
 */
export function classifyMessage(
  message: Pick<NormalizedMessage, "traits" | "properties" | "context"> &
    Partial<Pick<NormalizedMessage, "type">>,
): PiiField[] {
  const out: PiiField[] = [];
  for (const root of ["traits", "properties", "context"] as const) {
    const value = message[root];
    if (value) walk(value, [root], out, root === "traits" && message.type === "group");
  }
  for (const [key, value] of Object.entries(message as Record<string, JsonValue | undefined>)) {
    if (STRUCTURAL.has(key) || value === undefined || value === null) continue;
    if (ENVELOPE_TEXT.has(key) || ENVELOPE_IDS.has(key)) {
      if (typeof value !== "string") continue;
      const cls = valueClass(value);
      if (cls && VALUE_ONLY_CLASSES.has(cls))
        out.push({ path: [key], class: cls, matchedBy: "value" });
      continue;
    }
    const cls = keyClass(key, [], false);
    if (cls) out.push({ path: [key], class: cls, matchedBy: "key" });
    else walk(value, [key], out);
  }
  return out;
}

/** `traits.address.street`, `context.externalIds[0].id`, `properties["First Name"]`. */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

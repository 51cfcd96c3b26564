// What a portal login becomes (docs/architecture.md, the agent): an `identify` with what the guest
// typed and a `track WiFi Login Completed`, both carrying the consent as
// `context.consent.categoryPreferences` (Segment's shape, read by the edge's
// `consentUpdateFromPortalLogin`), `anonymousId` = the keyed MAC hash, and two external ids: the
// hashed MAC and the portal's random guest id, which lets the edge join a later reconnect from a
// new (randomized) MAC to the same person without the agent keeping any PII.
import { createHash } from "node:crypto";
import type { MacIdentity, OutboxMessage } from "../../controllers/deps.ts";
import type { ConsentChoices, LoginForm } from "../form/login-form.ts";
import type { Vendor } from "../vendors/arrival.ts";

export const LOGIN_COMPLETED_EVENT = "WiFi Login Completed";

/** Segment category names for the three choices (portal config `consentCategories`). */
export interface ConsentCategoryNames {
  marketingEmail: string;
  analytics: string;
  advertising: string;
}

export interface LoginEventInput {
  /** Unique per submitted form (derived from its CSRF token): a double submit repeats the ids. */
  loginId: string;
  guestId: string;
  /** The device's MAC, only when the agent confirmed it (agent/portal/http/mac-binding.ts). */
  mac: MacIdentity | undefined;
  venueId: string;
  vendor: Vendor;
  locale: string;
  at: Date;
  consent: ConsentChoices;
  categories: ConsentCategoryNames;
}

/** `{ [category]: boolean }` as Segment's `categoryPreferences`. */
export function categoryPreferences(
  consent: ConsentChoices,
  names: ConsentCategoryNames,
): Record<string, boolean> {
  return {
    [names.marketingEmail]: consent.marketingEmail,
    [names.analytics]: consent.analytics,
    [names.advertising]: consent.advertising,
  };
}

function messageId(loginId: string, kind: string): string {
  const hex = createHash("sha256").update(`portal\u001f${loginId}\u001f${kind}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The keyed MAC hash when the MAC is confirmed, else the portal's random guest id. */
function anonymousIdOf(input: LoginEventInput): string {
  return input.mac?.hash ?? input.guestId;
}

function sharedContext(input: LoginEventInput): Record<string, unknown> {
  const guest = { id: input.guestId, type: "portal_guest", collection: "users", encoding: "none" };
  return {
    consent: { categoryPreferences: categoryPreferences(input.consent, input.categories) },
    externalIds: input.mac
      ? [
          {
            id: input.mac.hash,
            type: "wifi_mac",
            collection: "users",
            encoding: "hmac-sha256",
            randomized: input.mac.randomized,
          },
          guest,
        ]
      : [guest],
    venue: { id: input.venueId },
    locale: input.locale,
  };
}

function loginTrack(input: LoginEventInput, method: "form" | "reconnect"): OutboxMessage {
  return {
    type: "track",
    event: LOGIN_COMPLETED_EVENT,
    messageId: messageId(input.loginId, "track"),
    timestamp: input.at.toISOString(),
    anonymousId: anonymousIdOf(input),
    properties: {
      venueId: input.venueId,
      vendor: input.vendor,
      method,
      returning: method === "reconnect",
      // Unconfirmed: the redirect's MAC was not the device the agent saw at this address.
      macBinding: input.mac ? "confirmed" : "unconfirmed",
      ...(input.mac ? { randomizedMac: input.mac.randomized } : {}),
      source: "portal",
    },
    context: sharedContext(input),
  };
}

/** The two messages of a form login, in order: identify, then track. */
export function formLoginMessages(input: LoginEventInput, form: LoginForm): OutboxMessage[] {
  const traits: Record<string, unknown> = { email: form.email };
  if (form.name !== undefined) traits.name = form.name;
  if (form.phone !== undefined) traits.phone = form.phone;
  return [
    {
      type: "identify",
      messageId: messageId(input.loginId, "identify"),
      timestamp: input.at.toISOString(),
      anonymousId: anonymousIdOf(input),
      traits,
      context: sharedContext(input),
    },
    loginTrack(input, "form"),
  ];
}

/** The one message of a one-tap reconnect: the track, with the consent the guest gave before. */
export function reconnectMessages(input: LoginEventInput): OutboxMessage[] {
  return [loginTrack(input, "reconnect")];
}

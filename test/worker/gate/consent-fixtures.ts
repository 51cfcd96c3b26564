// Events as analytics.js sends them once `@segment/analytics-consent-tools` stamps each call with
// `context.consent.categoryPreferences` (createConsentStampingMiddleware), after edge
// normalization. Category ids are OneTrust's (C0001 strictly necessary … C0004 targeting), the
// most common consent manager Segment documents.
import type { JsonObject, NormalizedMessage } from "../../../worker/message/message.ts";

const BASE_CONTEXT: JsonObject = {
  library: { name: "analytics.js", version: "npm:next-1.70.0" },
  page: {
    path: "/menu",
    referrer: "https://www.google.com/",
    search: "",
    title: "Menu – Harbour Café",
    url: "https://harbourcafe.example/menu",
  },
  userAgent:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  locale: "en-GB",
  ip: "203.0.113.42",
};

/** A `page` call from analytics.js with the given consent stamp (omit for none). */
export function pageEvent(
  categoryPreferences?: JsonObject,
  integrations: JsonObject = {},
  extra: JsonObject = {},
): NormalizedMessage {
  const context: JsonObject = { ...BASE_CONTEXT, ...extra };
  if (categoryPreferences !== undefined) context.consent = { categoryPreferences };
  return {
    type: "page",
    messageId: "ajs-next-1718270000000-6f9b1c2d-6c1e-4d52-9a0e-2b3f4c5d6e7f",
    anonymousId: "2e5f9a4c-3b1d-4e7f-8a6b-9c0d1e2f3a4b",
    name: "Menu",
    properties: {
      path: "/menu",
      title: "Menu – Harbour Café",
      url: "https://harbourcafe.example/menu",
    },
    context,
    integrations,
    timestamp: "2026-06-13T09:13:20.000Z",
    originalTimestamp: "2026-06-13T09:13:20.000Z",
    receivedAt: "2026-06-13T09:13:20.412Z",
    sentAt: "2026-06-13T09:13:20.101Z",
    version: 2,
  };
}

/** Segment's documented `Segment Consent Preference Updated` track call (consent-in-unify.md). */
export function consentUpdated(
  categoryPreferences: JsonObject | undefined,
  timestamp: string,
  messageId: string,
): NormalizedMessage {
  const context: JsonObject = { ...BASE_CONTEXT };
  if (categoryPreferences !== undefined) context.consent = { categoryPreferences };
  return {
    type: "track",
    event: "Segment Consent Preference Updated",
    messageId,
    userId: "guest-5521",
    anonymousId: "2e5f9a4c-3b1d-4e7f-8a6b-9c0d1e2f3a4b",
    properties: {},
    context,
    integrations: {},
    timestamp,
    originalTimestamp: timestamp,
    receivedAt: timestamp,
    version: 2,
  };
}

// What every view needs: the guest's language, the venue's theme and texts, and the nonce that
// lets the page's one style block (and the hand-off page's one script) past the CSP.
import type { PortalConfig } from "../config.ts";
import type { Locale } from "../i18n/negotiate.ts";
import type { Messages } from "../i18n/messages.ts";

export interface PageContext {
  locale: Locale;
  t: Messages;
  venueName: string;
  theme: PortalConfig["theme"];
  nonce: string;
}

/** A venue text override for the guest's language, else the translated default. */
export function venueText(
  ctx: PageContext,
  key: "welcomeTitle" | "welcomeBody" | "successBody",
): string {
  return ctx.theme.texts[ctx.locale]?.[key] ?? ctx.t[key];
}

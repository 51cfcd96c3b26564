// Picks the page language from `Accept-Language` (RFC 9110 §12.5.4): highest q-value first, a
// language range matches by its primary subtag (`fr-CA` → `fr`), `q=0` means "not acceptable".
import { en } from "./en.ts";
import { fr } from "./fr.ts";
import type { Messages } from "./messages.ts";

export const LOCALES = { en, fr } as const;
export type Locale = keyof typeof LOCALES;

function isLocale(tag: string): tag is Locale {
  return Object.hasOwn(LOCALES, tag);
}

/** The supported locale the header prefers most, else `fallback`. */
export function negotiateLocale(header: string | undefined, fallback: Locale): Locale {
  if (header === undefined || header.length > 1000) return fallback;
  const ranges = header
    .split(",")
    .slice(0, 50)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag !== "" && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    if (range.tag === "*") return fallback;
    const primary = range.tag.split("-")[0] ?? "";
    if (isLocale(primary)) return primary;
  }
  return fallback;
}

/** The messages for `locale`. */
export function messagesFor(locale: Locale): Messages {
  return LOCALES[locale];
}

// A tiny auto-escaping HTML template tag. The views are written as tagged templates rather than
// `.tsx` because Node 22 runs the portal by type stripping, which does not transform JSX
// (ERR_UNKNOWN_FILE_EXTENSION for `.tsx`); escaping is the same as Hono JSX's: every interpolated
// string is escaped unless it is already `SafeHtml`.

/** HTML produced by `html` (or `trustedHtml`): safe to place in a page as is. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/**
 * Tagged template: `html\`<p>${text}</p>\`` escapes `text`; nested `html` fragments and arrays of
 * them are inserted as is; `null`, `undefined` and `false` render nothing (for conditionals).
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

// The page shell: mobile-first, no external assets (captive-network assistants often block them
// until login), the venue's colours as CSS custom properties (validated #rrggbb, so no injection).
import type { PageContext } from "./page-context.ts";
import { html, type SafeHtml } from "./safe-html.ts";
import { portalStyles } from "./styles.ts";

/** Wraps `body` in the document, with the venue logo and name in the header. */
export function layout(ctx: PageContext, title: string, body: SafeHtml): SafeHtml {
  const { colors } = ctx.theme;
  const logo = ctx.theme.logoUrl
    ? html`<img
        class="logo"
        src="${ctx.theme.logoUrl}"
        alt="${ctx.theme.logoAlt || ctx.venueName}"
      />`
    : html`<p class="venue">${ctx.venueName}</p>`;
  return html`<!doctype html>
    <html lang="${ctx.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · ${ctx.venueName}</title>
        <style nonce="${ctx.nonce}">
          :root { --primary: ${colors.primary}; --primary-text: ${colors.primaryText}; --bg: ${colors.background}; --text: ${colors.text}; }
          ${portalStyles}
        </style>
      </head>
      <body>
        <header>${logo}</header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

import { layout } from "./layout.ts";
import { venueText, type PageContext } from "./page-context.ts";
import { html, type SafeHtml } from "./safe-html.ts";

/** The first page: venue welcome text and a link (no form, no script) to the login form. */
export function welcomePage(ctx: PageContext, formHref: string): SafeHtml {
  return layout(
    ctx,
    venueText(ctx, "welcomeTitle"),
    html`<p>${venueText(ctx, "welcomeBody")}</p>
      <p><a class="button" href="${formHref}">${ctx.t.start}</a></p>`,
  );
}

// The pages after a submit: one-tap reconnect, the hand-off to the controller, success, errors.
import { layout } from "./layout.ts";
import { venueText, type PageContext } from "./page-context.ts";
import { html, type SafeHtml } from "./safe-html.ts";

/** One-tap reconnect for a recognised guest, with a way back to the full form. */
export function reconnectPage(
  ctx: PageContext,
  model: { action: string; arrival: string; csrf: string; formHref: string },
): SafeHtml {
  return layout(
    ctx,
    ctx.t.reconnectTitle,
    html`<p>${ctx.t.reconnectBody}</p>
      <form method="post" action="${model.action}">
        <input type="hidden" name="arrival" value="${model.arrival}" />
        <input type="hidden" name="csrf" value="${model.csrf}" />
        <button type="submit">${ctx.t.reconnectButton}</button>
      </form>
      <p class="after"><a href="${model.formHref}">${ctx.t.notYou}</a></p>`,
  );
}

/**
 * Posts the issued credentials to the controller (Meraki `login_url`, Aruba `/cgi-bin/login`).
 * Without JavaScript the guest taps the button; with it, the form submits itself.
 */
export function handoffPage(
  ctx: PageContext,
  step: { action: string; fields: readonly (readonly [string, string])[] },
): SafeHtml {
  return layout(
    ctx,
    ctx.t.handoffTitle,
    html`<p>${ctx.t.handoffBody}</p>
      <form id="handoff" method="post" action="${step.action}">
        ${step.fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
        <button type="submit">${ctx.t.handoffButton}</button>
      </form>
      <script nonce="${ctx.nonce}">
        document.getElementById("handoff").submit();
      </script>`,
  );
}

/** The guest is online; `continueUrl` (already host-checked) and Meraki's `logout_url` as links. */
export function successPage(
  ctx: PageContext,
  links: { continueUrl?: string; logoutUrl?: string },
): SafeHtml {
  return layout(
    ctx,
    ctx.t.successTitle,
    html`<p role="status">${venueText(ctx, "successBody")}</p>
      ${links.continueUrl ? html`<p><a class="button" href="${links.continueUrl}">${ctx.t.continueTo} ${new URL(links.continueUrl).host}</a></p>` : null}
      ${links.logoutUrl ? html`<p class="after"><a href="${links.logoutUrl}">${ctx.t.logout}</a></p>` : null}`,
  );
}

/** An error with what to do next, and optionally a link to start again. */
export function errorPage(ctx: PageContext, message: string, retryHref?: string): SafeHtml {
  return layout(
    ctx,
    ctx.t.errorTitle,
    html`<p role="alert">${message}</p>
      ${retryHref ? html`<p><a class="button" href="${retryHref}">${ctx.t.tryAgain}</a></p>` : null}`,
  );
}

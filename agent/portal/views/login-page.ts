// The login form. Every input has a visible label; hints and errors are tied to inputs with
// aria-describedby; errors are listed first in a summary whose links move focus to the field
// (GOV.UK Design System "error summary" pattern), and the form works without JavaScript.
import type { FieldError, FieldMode, FormField } from "../form/login-form.ts";
import { layout } from "./layout.ts";
import type { PageContext } from "./page-context.ts";
import { html, type SafeHtml } from "./safe-html.ts";

export interface LoginPageModel {
  action: string;
  arrival: string;
  csrf: string;
  fields: { name: FieldMode; phone: FieldMode };
  termsUrl?: string;
  values: Readonly<Record<string, string>>;
  errors: readonly FieldError[];
  notice?: string;
}

function errorFor(model: LoginPageModel, field: FormField): FieldError | undefined {
  return model.errors.find((e) => e.field === field);
}

function textInput(
  ctx: PageContext,
  model: LoginPageModel,
  spec: {
    field: "email" | "name" | "phone";
    type: string;
    autocomplete: string;
    label: string;
    hint?: string;
    required: boolean;
  },
): SafeHtml {
  const error = errorFor(model, spec.field);
  const describedBy = [spec.hint ? `${spec.field}-hint` : "", error ? `${spec.field}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return html`<div class="field">
    <label for="${spec.field}"
      >${spec.label}${spec.required ? "" : html` (${ctx.t.optional})`}</label
    >
    ${spec.hint ? html`<span class="hint" id="${spec.field}-hint">${spec.hint}</span>` : null}
    ${error ? html`<span class="error" id="${spec.field}-error">${ctx.t.errors[error.key]}</span>` : null}
    <input
      id="${spec.field}"
      name="${spec.field}"
      type="${spec.type}"
      autocomplete="${spec.autocomplete}"
      value="${model.values[spec.field] ?? ""}"
      ${spec.required ? html`required aria-required="true"` : null}
      ${describedBy ? html`aria-describedby="${describedBy}"` : null}
      ${error ? html`aria-invalid="true"` : null}
    />
  </div>`;
}

function consentBox(name: string, label: string, purpose: string, checked: boolean): SafeHtml {
  return html`<div class="check">
    <input
      type="checkbox"
      id="${name}"
      name="${name}"
      value="yes"
      aria-describedby="${name}-purpose"
      ${checked ? html`checked` : null}
    />
    <label for="${name}"
      >${label}<span class="purpose" id="${name}-purpose">${purpose}</span></label
    >
  </div>`;
}

/** The form page, optionally re-rendered with the guest's values and inline errors. */
export function loginPage(ctx: PageContext, model: LoginPageModel): SafeHtml {
  const { t } = ctx;
  const termsError = errorFor(model, "terms");
  const summary =
    model.errors.length === 0
      ? null
      : html`<div class="summary" role="alert" aria-labelledby="summary-title" tabindex="-1">
          <h2 id="summary-title">${t.errorSummary}</h2>
          <ul>
            ${model.errors.map((e) => html`<li><a href="#${e.field}">${t.errors[e.key]}</a></li>`)}
          </ul>
        </div>`;
  const ticked = (name: string) => model.values[name] === "yes";
  return layout(
    ctx,
    t.formTitle,
    html`${summary}${model.notice ? html`<p role="status">${model.notice}</p>` : null}
      <p>${t.formIntro}</p>
      <form method="post" action="${model.action}" novalidate>
        <input type="hidden" name="arrival" value="${model.arrival}" />
        <input type="hidden" name="csrf" value="${model.csrf}" />
        ${textInput(ctx, model, { field: "email", type: "email", autocomplete: "email", label: t.email, hint: t.emailHint, required: true })}
        ${model.fields.name === "off" ? null : textInput(ctx, model, { field: "name", type: "text", autocomplete: "name", label: t.name, required: model.fields.name === "required" })}
        ${model.fields.phone === "off" ? null : textInput(ctx, model, { field: "phone", type: "tel", autocomplete: "tel", label: t.phone, hint: t.phoneHint, required: model.fields.phone === "required" })}
        <fieldset ${termsError ? html`aria-describedby="terms-error"` : null}>
          <legend>${t.termsLegend}</legend>
          ${model.termsUrl ? html`<p><a href="${model.termsUrl}">${t.termsLink}</a></p>` : null}
          ${termsError ? html`<span class="error" id="terms-error">${t.errors[termsError.key]}</span>` : null}
          <div class="check">
            <input
              type="checkbox"
              id="terms"
              name="terms"
              value="yes"
              required
              aria-required="true"
              ${termsError ? html`aria-invalid="true"` : null}
              ${ticked("terms") ? html`checked` : null}
            />
            <label for="terms">${t.termsAccept}</label>
          </div>
        </fieldset>
        <fieldset aria-describedby="consent-intro">
          <legend>${t.consentLegend}</legend>
          <p class="hint" id="consent-intro">${t.consentIntro}</p>
          ${consentBox("consent_marketing", t.consentMarketing, t.consentMarketingPurpose, ticked("consent_marketing"))}
          ${consentBox("consent_analytics", t.consentAnalytics, t.consentAnalyticsPurpose, ticked("consent_analytics"))}
          ${consentBox("consent_advertising", t.consentAdvertising, t.consentAdvertisingPurpose, ticked("consent_advertising"))}
        </fieldset>
        <button type="submit">${t.submit}</button>
      </form>`,
  );
}

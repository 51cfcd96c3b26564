// Mobile-first styles, inlined into every page. Focus is always visible (WCAG 2.2 SC 2.4.7),
// targets are at least 44px (SC 2.5.8 asks 24px; 44px suits thumbs), errors use text and an
// icon-free border change as well as colour (SC 1.4.1).
import { SafeHtml } from "./safe-html.ts";

export const portalStyles = new SafeHtml(`
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); }
header, main { max-width: 32rem; margin: 0 auto; padding: 1rem; }
.logo { max-width: 12rem; max-height: 5rem; }
.venue { font-weight: 700; margin: 0; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
a { color: var(--primary); text-decoration: underline; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--primary); outline-offset: 2px; }
.field { margin: 0 0 1.25rem; }
label, legend { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.hint { display: block; font-size: 0.9rem; margin-bottom: 0.25rem; }
input[type=email], input[type=text], input[type=tel] { width: 100%; min-height: 44px; padding: 0.5rem; font: inherit; color: var(--text); background: var(--bg); border: 2px solid var(--text); border-radius: 4px; }
input[aria-invalid=true] { border-width: 4px; }
fieldset { border: 1px solid var(--text); border-radius: 4px; margin: 0 0 1.25rem; padding: 0.75rem; }
.check { display: flex; gap: 0.75rem; align-items: flex-start; margin: 0.5rem 0; }
.check input { width: 1.5rem; height: 1.5rem; margin: 0.1rem 0 0; flex: none; }
.check label { font-weight: 600; margin: 0; }
.purpose { display: block; font-weight: 400; font-size: 0.9rem; }
.error { display: block; font-weight: 700; margin: 0.25rem 0; }
.error::before { content: "⚠ "; }
.summary { border: 3px solid var(--text); border-radius: 4px; padding: 0.75rem; margin-bottom: 1.25rem; }
.summary h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
button, .button { display: inline-block; min-height: 44px; width: 100%; padding: 0.75rem 1rem; font: inherit; font-weight: 700; text-align: center; text-decoration: none; color: var(--primary-text); background: var(--primary); border: 0; border-radius: 4px; cursor: pointer; }
p.after { margin-top: 1.5rem; }
`);

// Debian's chromium driven by playwright-core, as the brief for the portal tests prescribes: one
// headless browser per test file with a fresh --user-data-dir, a phone-sized viewport, screenshots
// under test-results/portal/, and axe-core injected for accessibility checks.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const SCREENSHOTS = path.resolve(import.meta.dirname, "../../../test-results/portal");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserSession {
  context: BrowserContext;
  /** A new page; with `javaScript: false` script execution is disabled for it (CDP Emulation). */
  page(options?: { javaScript?: boolean; acceptLanguage?: string }): Promise<Page>;
  screenshot(page: Page, name: string): Promise<void>;
  /** axe-core violations of impact serious or critical on the current page. */
  seriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: number }[]>;
  close(): Promise<void>;
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** Launches chromium (callers skip when `hasChromium` is false). */
export async function openBrowser(): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), "foyer-portal-chromium-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 390, height: 844 },
  });
  return {
    context,
    async page(options = {}) {
      const page = await context.newPage();
      if (options.acceptLanguage)
        await page.setExtraHTTPHeaders({ "accept-language": options.acceptLanguage });
      if (options.javaScript === false) {
        const cdp = await context.newCDPSession(page);
        await cdp.send("Emulation.setScriptExecutionDisabled", { value: true });
      }
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async seriousViolations(page) {
      // Runtime.evaluate is not subject to the page's CSP, so the portal's CSP stays enforced.
      await page.evaluate(`${axeSource};0`);
      return page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: {
              run(): Promise<{
                violations: { id: string; impact: string | null; nodes: unknown[] }[];
              }>;
            };
          }
        ).axe;
        const result = await axe.run();
        return result.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => ({ id: v.id, impact: v.impact ?? "", nodes: v.nodes.length }));
      });
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

import { test as base, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/**
 * Every test fails on a browser-side error: a panic or hydration error in the WebAssembly
 * client shows up here even when the page happens to look right. (Documents answered with
 * 401/403/404 on purpose log "Failed to load resource", which is expected.)
 */
export const test = base.extend<{ browserErrors: void }>({
  browserErrors: [
    async ({ page }, use) => {
      const problems = watchBrowserErrors(page);
      await use();
      expect(problems, "errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** The browser-side errors of `page` from now on (for pages of extra browser contexts). */
export function watchBrowserErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

export const password = () => process.env.E2E_PASSWORD!;

/** Wait until the page's WebAssembly islands are live. */
export async function hydrated(page: Page) {
  await page.waitForSelector("html[data-hydrated]");
}

export async function signIn(page: Page, username: string, pass = password()) {
  await page.goto("/admin/login");
  await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(pass);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
}

/** WCAG 2.1 A/AA checks of the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`)).toEqual([]);
}

export function navLinks(page: Page) {
  return page.getByRole("navigation", { name: "Dashboard" }).getByRole("link");
}

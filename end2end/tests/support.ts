import { expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export const password = () => process.env.E2E_PASSWORD!;

/** Wait until the WebAssembly client has taken over the server-rendered page. */
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
  await page.getByRole("button", { name: "Sign out" }).click();
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

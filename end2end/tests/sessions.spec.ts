import { hydrated, signIn, watchBrowserErrors, expect, test } from "./support";
import type { Page } from "@playwright/test";

function sessionRows(page: Page) {
  return page.getByRole("table", { name: "Your signed-in sessions" }).locator("tbody tr");
}

test("a writer sees their other browser on the profile and signs it out", async ({ page, browser, baseURL }) => {
  await signIn(page, "writer");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/profile");
  await hydrated(page);
  // Earlier journeys may have left writer signed in elsewhere: start from this browser alone.
  page.once("dialog", (dialog) => {
    expect(dialog.message()).toBe("Sign out every other browser?");
    dialog.accept();
  });
  await page.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(page.getByRole("status")).toHaveText(/^Ended \d+ other sessions?\.$/);
  await expect(sessionRows(page)).toHaveCount(1);

  const other = await browser.newContext({ baseURL });
  try {
    const otherPage = await other.newPage();
    const otherProblems = watchBrowserErrors(otherPage);
    await signIn(otherPage, "writer");
    await expect(otherPage).toHaveURL(/\/admin$/);

    await page.reload();
    await hydrated(page);
    await expect(sessionRows(page)).toHaveCount(2);
    await expect(sessionRows(page).filter({ hasText: "(this browser)" })).toHaveCount(1);
    const otherRow = sessionRows(page).filter({ hasNotText: "(this browser)" });
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe("End this session? That browser is signed out.");
      dialog.accept();
    });
    await otherRow.getByRole("button", { name: /^End the session of .+ signed in at \d{4}-\d\d-\d\d \d\d:\d\d$/ }).click();
    await expect(page.getByRole("status")).toHaveText("Session ended.");
    await expect(sessionRows(page)).toHaveCount(1);
    await expect(sessionRows(page)).toContainText("(this browser)");

    await otherPage.reload();
    await expect(otherPage).toHaveURL(/\/admin\/login\?next=%2Fadmin$/);
    // This browser stays signed in.
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    expect(otherProblems, "errors in the other browser").toEqual([]);
  } finally {
    await other.close();
  }
});

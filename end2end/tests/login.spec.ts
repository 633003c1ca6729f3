import { expectAccessible, hydrated, password, signIn, expect, test } from "./support";

test("the login page is accessible", async ({ page }) => {
  await page.goto("/admin/login");
  await hydrated(page);
  await expectAccessible(page);
});

test("a wrong password shows the error and keeps the visitor out", async ({ page }) => {
  await signIn(page, "editor", "definitely not it");
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/admin\/login/);
  await expectAccessible(page);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin\/login\?next=/);
});

test("an unknown user sees exactly the wrong-password message", async ({ page }) => {
  await signIn(page, "nobody-here", "definitely not it");
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
});

test("a deep link survives the detour through the login page", async ({ page }) => {
  await page.goto("/admin/audit?action=auth.login");
  await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin%2Faudit%3Faction%3Dauth(\.|%2E)login$/);
  await hydrated(page);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(password());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/audit\?action=auth\.login$/);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the login form still signs in and out", async ({ page }) => {
    await page.goto("/admin/login?next=%2Fadmin%2Fprofile");
    await page.getByLabel("Username").fill("author");
    await page.getByLabel("Password").fill(password());
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/admin\/profile$/);
    await expect(page.getByRole("heading", { name: "Profile" })).toBeVisible();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/admin\/login$/);
  });

  test("a wrong password shows the error", async ({ page }) => {
    await page.goto("/admin/login");
    await page.getByLabel("Username").fill("author");
    await page.getByLabel("Password").fill("definitely not it");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  });
});

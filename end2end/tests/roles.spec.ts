import { expectAccessible, hydrated, navLinks, signIn, signOut, expect, test } from "./support";

const journeys = [
  { username: "admin", role: "Admin", links: ["Overview", "Posts", "Comments", "Categories", "Tags", "Users", "API tokens", "Audit log", "Settings"] },
  { username: "editor", role: "Editor", links: ["Overview", "Posts", "Comments"] },
  { username: "author", role: "Author", links: ["Overview", "Posts"] },
];

for (const { username, role, links } of journeys) {
  test(`${username} signs in, sees only their sections, and signs out`, async ({ page }) => {
    await signIn(page, username);
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.locator(".role-badge")).toHaveText(role);
    await expect(navLinks(page)).toHaveText(links);
    await expectAccessible(page);

    await page.getByRole("link", { name: username, exact: true }).click();
    await expect(page.getByRole("heading", { name: "Profile" })).toBeVisible();
    await expectAccessible(page);

    await signOut(page);
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin$/);
  });
}

test("an author who types an admin URL gets the access-denied page", async ({ page }) => {
  await signIn(page, "author");
  await expect(page).toHaveURL(/\/admin$/);
  for (const path of ["/admin/users", "/admin/audit", "/admin/settings", "/admin/tokens", "/admin/categories", "/admin/tags", "/admin/comments"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
    await expect(page.getByRole("table")).toHaveCount(0);
    await expectAccessible(page);
  }
});

test("an admin sees the staff list and the audit trail of their own sign-in", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page).toHaveURL(/\/admin$/);
  await navLinks(page).getByText("Users").click();
  await expect(page.getByRole("cell", { name: "author", exact: true })).toBeVisible();
  await expectAccessible(page);
  await navLinks(page).getByText("Audit log").click();
  await expect(page.getByRole("cell", { name: "auth.login", exact: true }).first()).toBeVisible();
  await page.getByLabel("Actions").selectOption("auth.login_failed");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=auth\.login_failed/);
  await expectAccessible(page);
});

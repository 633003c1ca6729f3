import { expectAccessible, hydrated, navLinks, signIn, watchBrowserErrors, expect, test } from "./support";
import { readFileSync } from "node:fs";

const NEW_PASSWORD = "a long passphrase for nina";

test("an admin invites an editor, who chooses a password in another browser, and a demotion shows at their next click", async ({
  page,
  browser,
}) => {
  await signIn(page, "admin");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/users");
  await hydrated(page);
  const invite = page.locator("details.invite");
  await invite.getByText("Invite a staff member").click();
  await invite.getByLabel("Username").fill("nina");
  await invite.getByLabel("Role").selectOption("editor");
  await invite.getByRole("button", { name: "Create invitation" }).click();
  await expect(page.getByRole("status")).toContainText("Invitation created for nina");
  const link = await page.getByLabel("One-time link").inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/welcome\?token=[\w-]{43}$/);
  await expectAccessible(page);

  const other = await browser.newContext();
  const nina = await other.newPage();
  const problems = watchBrowserErrors(nina);
  await nina.goto(link);
  await hydrated(nina);
  await expect(nina.getByRole("heading", { name: "Welcome to Inkwarden" })).toBeVisible();
  await expectAccessible(nina);
  await nina.getByLabel("New password").fill(NEW_PASSWORD);
  await nina.getByLabel("Repeat password").fill("a different passphrase");
  await nina.getByRole("button", { name: "Set password" }).click();
  await expect(nina.getByText("The two passwords differ.")).toBeVisible();
  await nina.getByLabel("New password").fill(NEW_PASSWORD);
  await nina.getByLabel("Repeat password").fill(NEW_PASSWORD);
  await nina.getByRole("button", { name: "Set password" }).click();
  await expect(nina).toHaveURL(/\/admin\/login\?password=set$/);
  await expect(nina.getByRole("status")).toHaveText("Your password is set. Sign in with it.");
  await signIn(nina, "nina", NEW_PASSWORD);
  await expect(nina).toHaveURL(/\/admin$/);
  await expect(navLinks(nina)).toHaveText(["Overview", "Posts", "Comments"]);

  // The link worked once.
  const again = await nina.goto(link);
  expect(again?.status()).toBe(410);
  await expect(nina.getByText("already been used")).toBeVisible();
  await nina.goBack();

  await page.reload();
  await hydrated(page);
  const row = page.getByRole("row").filter({ hasText: "nina" });
  await row.getByLabel("Role of nina", { exact: true }).selectOption("author");
  await row.getByRole("button", { name: "Change role of nina" }).click();
  await expect(page.getByRole("status")).toHaveText("Role changed. It applies at their next request.");

  await hydrated(nina);
  await navLinks(nina).getByText("Posts").click();
  await expect(nina).toHaveURL(/\/admin\/posts$/);
  await expect(navLinks(nina)).toHaveText(["Overview", "Posts"]);
  await expect(nina.locator(".role-badge")).toHaveText("Author");
  expect(problems, "errors in the invited user's browser").toEqual([]);
  await other.close();
});

test("an admin's own row says why it cannot be changed, and the server refuses a self-demotion", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/users?q=admin");
  await hydrated(page);
  const own = page.getByRole("row").filter({ hasText: "This is you" });
  await expect(own).toContainText("Another admin can change your role or status");
  await expect(own.getByRole("button", { name: /Change role|Deactivate|Reset password/ })).toHaveCount(0);
  // A crafted request is refused with the same reason.
  const id = await page.evaluate(async () => {
    const res = await fetch("/admin/api/auth/me", { method: "POST" });
    return (await res.json()).id as number;
  });
  const answer = await page.evaluate(async (id) => {
    const res = await fetch("/admin/api/users/set-role", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `id=${id}&role=author`,
    });
    return { status: res.status, body: await res.text() };
  }, id);
  expect(answer.status).toBe(403);
  expect(answer.body).toContain("You cannot change your own role. Another admin can.");
  await page.goto("/admin/users?sort=role&dir=desc&status=active");
  await hydrated(page);
  await expect(page.getByRole("row").nth(1)).toContainText("Admin");
  await expectAccessible(page);
});

test("an admin turns comments off, the public post loses its form, and the audit log finds and exports the change", async ({
  page,
}) => {
  // A published post to look at.
  await signIn(page, "admin");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/posts/new");
  await hydrated(page);
  await page.getByLabel("Title", { exact: true }).fill("Settings journey");
  await page.getByLabel("Body (Markdown)").fill("Hello readers.");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page).toHaveURL(/\/admin\/posts\/\d+$/);
  await hydrated(page);
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.locator(".page-head .status")).toHaveText("Published");
  await page.goto("/posts/settings-journey");
  await expect(page.getByRole("button", { name: "Post comment" })).toBeVisible();

  await page.goto("/admin/settings");
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel("Site title").fill("The Daily Ink");
  await page.getByLabel("Readers may comment on published posts").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Settings saved. The public site uses them now.");

  await page.goto("/posts/settings-journey");
  await expect(page.getByRole("button", { name: "Post comment" })).toHaveCount(0);
  await expect(page.getByText("Comments are closed.")).toBeVisible();
  await expect(page).toHaveTitle("Settings journey · The Daily Ink");

  await page.goto("/admin/audit");
  await hydrated(page);
  await page.getByLabel("Actions").selectOption(["settings.changed"]);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=settings\.changed/);
  const event = page.getByRole("row").filter({ hasText: "settings.changed" });
  await expect(event).toHaveCount(1);
  await event.getByText("2 changes").click();
  await expect(event.getByRole("row", { name: /comments_enabled/ })).toContainText("true");
  await expect(event.getByRole("row", { name: /site_title/ })).toContainText("The Daily Ink");
  await expectAccessible(page);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const lines = readFileSync(file!, "utf8").trim().split("\n");
  expect(lines[0]).toBe("id,occurred_at,actor,client_ip,action,target_type,target_id,details");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(",admin,");
  expect(lines[1]).toContain("settings.changed");

  // Put the site back as the other journeys expect it.
  await page.goto("/admin/settings");
  await hydrated(page);
  await page.getByLabel("Site title").fill("Inkwarden");
  await page.getByLabel("Readers may comment on published posts").check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Settings saved. The public site uses them now.");
});

test("an author is refused the settings page", async ({ page }) => {
  await signIn(page, "author");
  await expect(page).toHaveURL(/\/admin$/);
  const response = await page.goto("/admin/settings");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
});

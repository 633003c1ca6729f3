import { expectAccessible, hydrated, navLinks, signIn, signOut, expect, test } from "./support";
import type { Page } from "@playwright/test";

const title = `Field notes ${Date.now()}`;
let editorUrl = "";

async function openPost(page: Page) {
  await page.goto("/admin/posts?q=" + encodeURIComponent(title));
  await hydrated(page);
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

test.describe.serial("the editorial journey", () => {
  test("an author writes a draft with a live preview and submits it for review", async ({ page }) => {
    await signIn(page, "author");
    await navLinks(page).getByText("Posts").click();
    await expect(page.getByRole("heading", { name: "Posts" })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("link", { name: "New post" }).click();
    await hydrated(page);
    await page.getByLabel("Title", { exact: true }).fill(title);
    await expect(page.getByLabel("Slug")).toHaveValue(/^field-notes-\d+$/);
    await page.getByLabel("Body (Markdown)").fill("Hello **readers**.\n\n<script>window.pwned = 1</script>");
    await expect(page.getByLabel("Preview").locator("strong")).toHaveText("readers");
    await expect(page.getByLabel("Preview").locator("script")).toHaveCount(0);
    await expectAccessible(page);
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page).toHaveURL(/\/admin\/posts\/\d+$/);
    editorUrl = new URL(page.url()).pathname;
    await expect(page.locator(".page-head .status")).toHaveText("Draft");
    await expect(page.getByRole("button", { name: "Publish" })).toHaveCount(0);
    await page.getByRole("button", { name: "Submit for review" }).click();
    await expect(page.locator(".page-head .status")).toHaveText("In review");
    await expectAccessible(page);
  });

  test("another author opening that edit URL gets not found", async ({ page }) => {
    await signIn(page, "writer");
    await expect(page).toHaveURL(/\/admin$/);
    const response = await page.goto(editorUrl);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Post not found" })).toBeVisible();
    await expect(page.getByText(title)).toHaveCount(0);
  });

  test("an editor publishes it and it appears on the public site", async ({ page }) => {
    await signIn(page, "editor");
    await expect(page).toHaveURL(/\/admin$/);
    await openPost(page);
    await page.getByRole("button", { name: "Publish" }).click();
    await expect(page.locator(".page-head .status")).toHaveText("Published");
    await signOut(page);
    await page.goto("/");
    await page.getByRole("link", { name: title }).click();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(page.locator(".prose strong")).toHaveText("readers");
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await expectAccessible(page);
  });

  test("the author can no longer edit the published post", async ({ page }) => {
    await signIn(page, "author");
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto(editorUrl);
    await hydrated(page);
    await expect(page.getByText("only an editor or an admin can change it")).toBeVisible();
    await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Unpublish" })).toHaveCount(0);
  });
});

test("an admin adds a tag and a category", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page).toHaveURL(/\/admin$/);
  await navLinks(page).getByText("Tags").click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Field reports");
  await page.getByRole("button", { name: "Add tag" }).click();
  await expect(page.getByLabel("Name of Field reports")).toHaveValue("Field reports");
  await expectAccessible(page);
  await navLinks(page).getByText("Categories").click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Dispatches");
  await page.getByRole("button", { name: "Add category" }).click();
  await expect(page.getByLabel("Name of Dispatches")).toHaveValue("Dispatches");
  await expectAccessible(page);
});

test("the posts list keeps its filters in the URL", async ({ page }) => {
  await signIn(page, "editor");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/posts");
  await hydrated(page);
  await page.getByLabel("Status").selectOption("published");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/status=published/);
  await page.getByRole("link", { name: /^Title/ }).click();
  await expect(page).toHaveURL(/sort=title&dir=asc/);
  await expect(page.getByRole("columnheader", { name: /Title/ })).toHaveAttribute("aria-sort", "ascending");
  await page.goBack();
  await expect(page).toHaveURL(/status=published/);
  await expect(page).not.toHaveURL(/sort=title/);
  await expectAccessible(page);
});

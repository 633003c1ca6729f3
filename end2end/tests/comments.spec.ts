import { expectAccessible, hydrated, signIn, signOut, expect, test } from "./support";
import type { Page } from "@playwright/test";

const slug = `comments-${Date.now()}`;

/** An editor publishes a post to comment on, through the same endpoints the UI uses. */
async function publishPost(page: Page) {
  await signIn(page, "editor");
  await expect(page).toHaveURL(/\/admin$/);
  const created = await page.request.post("/admin/api/posts/create", { form: { title: "Open thread", slug, body: "Talk to us." } });
  expect(created.status()).toBe(200);
  const id = String(await created.json());
  expect((await page.request.post("/admin/api/posts/publish", { form: { id } })).status()).toBe(200);
  await signOut(page);
}

test.describe.serial("moderation", () => {
  test("a reader comments on the public page and an editor approves it", async ({ page }) => {
    await publishPost(page);
    await page.goto(`/posts/${slug}`);
    await page.getByRole("textbox", { name: "Name" }).fill("Rita Reader");
    await page.getByRole("textbox", { name: "Comment" }).fill("First! <script>window.pwned = 1</script>");
    await page.getByRole("button", { name: "Post comment" }).click();
    await expect(page.getByRole("status")).toContainText("will appear once a moderator approves it");
    await expect(page.getByText("Rita Reader")).toHaveCount(0);
    await expectAccessible(page);

    await signIn(page, "editor");
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/comments");
    await hydrated(page);
    await expect(page.getByText("Rita Reader")).toBeVisible();
    await expectAccessible(page);
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe("Approve 1 comment?");
      dialog.accept();
    });
    await page.getByRole("checkbox", { name: "Select comment by Rita Reader" }).check();
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByRole("status").filter({ hasText: "changed" })).toHaveText("1 changed, 0 skipped.");
    await signOut(page);

    await page.goto(`/posts/${slug}`);
    await expect(page.locator(".comment-body")).toHaveText("First! <script>window.pwned = 1</script>");
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  test("an editor selects all matching comments across pages and rejects them", async ({ page }) => {
    for (let i = 1; i <= 30; i++) {
      const res = await page.request.post(`/posts/${slug}/comments`, {
        form: { name: `Bulk ${i}`, body: `Same old ${i}` },
        headers: { "X-Forwarded-For": `198.51.100.${i}` },
        maxRedirects: 0,
      });
      expect(res.status()).toBe(303);
    }
    await signIn(page, "editor");
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/comments?status=pending&per_page=25");
    await hydrated(page);
    await expect(page.getByText("Page 1 of 2 · 30 in all")).toBeVisible();
    await page.getByRole("checkbox", { name: "Select all comments on this page" }).check();
    await page.getByRole("button", { name: "Select all 30 matching" }).click();
    await expect(page.getByText("All 30 matching comments are selected.")).toBeVisible();
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe("Reject 30 comments?");
      dialog.accept();
    });
    await page.getByRole("button", { name: "Reject" }).click();
    await expect(page.getByRole("status").filter({ hasText: "changed" })).toHaveText("30 changed, 0 skipped.");
    await expect(page.getByText("No comments match. The queue is clear.")).toBeVisible();
  });

  test("keyboard shortcuts moderate one comment at a time", async ({ page }) => {
    const res = await page.request.post(`/posts/${slug}/comments`, {
      form: { name: "Keyboard Kim", body: "Via shortcuts" },
      headers: { "X-Forwarded-For": "203.0.113.77" },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
    await signIn(page, "editor");
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/comments");
    await hydrated(page);
    await expect(page.getByText("Keyboard Kim")).toBeVisible();
    await page.keyboard.press("s");
    await expect(page.getByRole("status").filter({ hasText: "changed" })).toHaveText("1 changed, 0 skipped.");
    await page.goto("/admin/comments?status=spam");
    await expect(page.getByText("Keyboard Kim")).toBeVisible();
  });
});

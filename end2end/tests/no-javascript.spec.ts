import { password, expect, test } from "./support";

// Every staff form is a plain POST: without JavaScript it still does its job, and the page it
// returns to says what it did.
test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an editor moderates a comment and unpublishes a post from plain forms, and each page says what it did", async ({
    page,
  }) => {
    const slug = `plain-${Date.now()}`;
    const login = await page.request.post("/admin/api/auth/login", { form: { username: "editor", password: password(), next: "" } });
    expect(login.status()).toBe(200);
    const created = await page.request.post("/admin/api/posts/create", { form: { title: `Plain thread ${slug}`, slug, body: "Talk." } });
    const id = String(await created.json());
    expect((await page.request.post("/admin/api/posts/publish", { form: { id } })).status()).toBe(200);
    const comment = await page.request.post(`/posts/${slug}/comments`, {
      form: { name: "Plain Paula", body: `No script here ${slug}` },
      headers: { "X-Forwarded-For": "203.0.113.91" },
      maxRedirects: 0,
    });
    expect(comment.status()).toBe(303);

    await page.goto(`/admin/comments?q=${encodeURIComponent(slug)}`);
    await page.getByRole("checkbox", { name: "Select comment by Plain Paula" }).check();
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByRole("status").filter({ hasText: "changed" })).toHaveText("1 changed, 0 skipped.");
    await expect(page.getByText("Plain Paula")).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("status").filter({ hasText: "changed" })).toHaveCount(0);

    await page.goto(`/admin/posts?q=${encodeURIComponent(slug)}`);
    await page.getByRole("checkbox", { name: `Select “Plain thread ${slug}”` }).check();
    await page.getByLabel("With selected").selectOption("unpublish");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByRole("status")).toHaveText("1 changed, 0 skipped.");
    await expect(page.getByRole("row").filter({ hasText: slug })).toContainText("Draft");
  });
});

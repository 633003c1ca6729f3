import { expectAccessible, hydrated, signIn, expect, test } from "./support";

test("an admin creates a token, a script publishes with it, and after revocation the same request is refused", async ({
  page,
}) => {
  await signIn(page, "admin");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/tokens");
  await hydrated(page);
  await expectAccessible(page);
  await page.getByText("Create a token").click();
  await page.getByLabel("Name").fill("E2E publisher");
  await page.getByLabel(/posts:write/).check();
  await page.getByLabel(/posts:publish/).check();
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByRole("status")).toContainText("Copy the secret now: it is not shown again.");
  const secret = await page.getByLabel("Token secret").inputValue();
  expect(secret).toMatch(/^iwk_[a-z2-9]{8}_[\w-]{43}$/);
  await expect(page.getByRole("row").filter({ hasText: "E2E publisher" })).toContainText("posts:write posts:publish");
  await expectAccessible(page);

  // The script: a fresh request context without the dashboard's cookies.
  const script = await page.context().request;
  const created = await script.post("/api/v1/posts", {
    headers: { authorization: `Bearer ${secret}`, cookie: "" },
    data: { title: "Published by a token", body: "From the pipeline." },
  });
  expect(created.status()).toBe(201);
  const location = created.headers()["location"];
  const published = await script.post(`${location}/publish`, { headers: { authorization: `Bearer ${secret}` } });
  expect(published.status()).toBe(200);
  expect((await published.json()).status).toBe("published");
  await page.goto("/posts/published-by-a-token");
  await expect(page.getByRole("heading", { level: 1, name: "Published by a token" })).toBeVisible();

  await page.goto("/admin/tokens");
  await hydrated(page);
  const row = page.getByRole("row").filter({ hasText: "E2E publisher" });
  await expect(row).toContainText("from 127.0.0.1");
  page.once("dialog", (d) => d.accept());
  await row.getByRole("button", { name: "Revoke E2E publisher" }).click();
  await expect(page.getByRole("status")).toContainText("Revoked E2E publisher");
  const refused = await script.post(`${location}/unpublish`, { headers: { authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["www-authenticate"]).toContain('error="invalid_token"');
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
});

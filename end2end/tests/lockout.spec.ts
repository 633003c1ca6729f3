import { expectAccessible, hydrated, signIn, expect, test } from "./support";

// Usernames nobody has, so the real accounts are never locked. Failures also count against the
// address, but serve.sh raises that limit well above what the whole suite needs.
const LOCKED = "Too many failed sign-ins. Try again in 15 minutes.";
const WRONG = "Wrong username or password.";
const FAILURES_TO_LOCK = 5; // the server's default per username

test.describe.serial("sign-in lockout", () => {
  test("five failed sign-ins lock a username", async ({ page }) => {
    await signIn(page, "ghost-js", "definitely not it");
    await expect(page.getByRole("alert")).toHaveText(WRONG);
    // The form keeps what was typed: submit it again, one answer at a time.
    for (let attempt = 2; attempt <= FAILURES_TO_LOCK; attempt++) {
      const answered = page.waitForResponse((r) => r.url().endsWith("/admin/api/auth/login"));
      await page.getByRole("button", { name: "Sign in" }).click();
      expect((await answered).status()).toBe(401);
      await expect(page.getByRole("alert")).toHaveText(WRONG);
    }
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText(LOCKED);
    await expect(page).toHaveURL(/\/admin\/login$/);
  });

  test.describe("without JavaScript", () => {
    test.use({ javaScriptEnabled: false });

    test("five failed sign-ins lock a username", async ({ page }) => {
      for (let attempt = 1; attempt <= FAILURES_TO_LOCK + 1; attempt++) {
        await page.goto("/admin/login");
        await page.getByLabel("Username").fill("ghost-nojs");
        await page.getByLabel("Password").fill("definitely not it");
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect(page.getByRole("alert")).toHaveText(attempt <= FAILURES_TO_LOCK ? WRONG : LOCKED);
      }
    });
  });

  test("an admin sees the lockouts and lifts them", async ({ page }) => {
    await signIn(page, "admin");
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/users");
    await hydrated(page);
    const lockouts = page.getByRole("table", { name: "Sign-in lockouts in force" });
    for (const name of ["ghost-js", "ghost-nojs"]) {
      const row = lockouts.getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });
      await expect(row.getByRole("cell")).toHaveText(["Username", name, "15 min", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, "Lift"]);
    }

    async function lift(name: string) {
      page.once("dialog", (dialog) => {
        expect(dialog.message()).toBe("Lift this lockout now?");
        dialog.accept();
      });
      await lockouts.getByRole("button", { name: `Lift the lockout of ${name}` }).click();
      await expect(page.getByRole("status")).toHaveText(`Lifted the lockout of ${name}.`);
      await expect(page.getByRole("cell", { name, exact: true })).toHaveCount(0);
    }
    await lift("ghost-js");
    // Lifted means a wrong password is an ordinary failure again, not a refusal.
    const retry = await page.request.post("/admin/api/auth/login", { form: { username: "ghost-js", password: "still not it" } });
    expect(retry.status()).toBe(401);
    await expectAccessible(page); // with the other lockout's row and the toast
    await lift("ghost-nojs");
    await expect(page.getByText("No username or address is locked out.")).toBeVisible();
  });
});

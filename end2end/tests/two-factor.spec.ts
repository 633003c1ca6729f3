import { expectAccessible, hydrated, password, signIn, signOut, expect, test } from "./support";
import { Authenticator } from "./totp";
import type { Page } from "@playwright/test";

// Enrols "writer" and turns two-factor off again at the end. The file sorts after every other
// spec that signs in as writer, so even a failure half-way cannot change their sign-in.

function twoFactorSection(page: Page) {
  return page.locator("section", { has: page.locator("#two-factor") });
}

async function verify(page: Page, code: string) {
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

test("a writer turns on two-factor sign-in, signs in with a code and a recovery code, and turns it off", async ({ page }) => {
  test.setTimeout(75_000); // several sign-ins, and possibly a wait for a fresh 30-second step
  const section = twoFactorSection(page);
  let app!: Authenticator;
  let enrolmentCode = "";
  let recoveryCodes: string[] = [];

  await test.step("enrol from the profile page", async () => {
    await signIn(page, "writer");
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/profile");
    await hydrated(page);
    await section.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    await expect(section.getByRole("img", { name: "QR code of your two-factor secret" }).locator("svg")).toBeVisible();
    app = new Authenticator(await page.locator("#totp-secret").innerText());
    await expectAccessible(page);

    enrolmentCode = await app.nextCode();
    await section.getByLabel("Code from your app").fill(enrolmentCode);
    await section.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    const shown = section.locator(".recovery-codes li");
    await expect(shown).toHaveCount(10);
    recoveryCodes = await shown.allInnerTexts();
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(new Set(recoveryCodes).size).toBe(10);
    await expect(section.getByText("Two-factor sign-in is on. 10 unused recovery codes left.")).toBeVisible();
    await signOut(page);
  });

  await test.step("the password alone leads to the verify page; a used code is refused, a fresh one signs in", async () => {
    await signIn(page, "writer");
    await expect(page).toHaveURL(/\/admin\/login\/verify$/);
    await hydrated(page);
    await expectAccessible(page);
    // Nothing is open yet: the dashboard still sends this browser to the login page.
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin$/);
    await page.goto("/admin/login/verify");
    await hydrated(page);

    await verify(page, enrolmentCode);
    await expect(page.locator("#code-error")).toHaveText("That code did not work. Enter the current code, or a recovery code.");
    await expectAccessible(page);
    await verify(page, await app.nextCode());
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await signOut(page);
  });

  await test.step("a recovery code signs in once", async () => {
    await signIn(page, "writer");
    await expect(page).toHaveURL(/\/admin\/login\/verify$/);
    await hydrated(page);
    await verify(page, recoveryCodes[0].toUpperCase());
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/admin/profile");
    await hydrated(page);
    await expect(section.getByText("Two-factor sign-in is on. 9 unused recovery codes left.")).toBeVisible();
  });

  await test.step("turn it off with the password and a fresh code", async () => {
    await section.getByLabel("Current password").fill(password());
    await section.locator("#disable_code").fill(await app.nextCode());
    await section.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
    await expect(section.getByRole("button", { name: "Set up two-factor sign-in" })).toBeVisible();
    await signOut(page);
    await signIn(page, "writer");
    await expect(page).toHaveURL(/\/admin$/);
  });
});

import { expect, type Page } from "@playwright/test";

/** A full-page screenshot in end2end/screenshots/. */
export const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

/** Signs in through the form, once the page is hydrated, and waits for Source. */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();
}

/** Connects Northwind's Workable with the sandbox's account token, unless already connected. */
export async function ensureConnected(page: Page) {
  await page.getByRole("link", { name: "Account settings" }).click();
  const card = page.locator("[data-ats='workable']");
  await expect(card).toBeVisible();
  if ((await card.locator("h3").textContent())?.includes("Connected")) return;
  await card.getByRole("link", { name: "Connect" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Subdomain").fill("northwind");
  await page.getByLabel("Access token").fill("northwind-account-token");
  await page.getByRole("button", { name: "Connect with token" }).click();
  await expect(page.locator("[data-ats='workable'] h3")).toContainText("Connected");
}


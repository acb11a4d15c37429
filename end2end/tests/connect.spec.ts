import { expect, test, type Page } from "@playwright/test";
import { shot, signIn } from "./helpers";

// Account settings → ATS integrations → Connect under Workable → the sandbox's authorise page →
// Allow → back on the card: Connected. Screenshots land in end2end/screenshots/.


test("a master connects Workable through its authorise page and sees Connected", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes("status of 404")) errors.push(`console: ${m.text()}`);
  });

  await signIn(page, "maria@northwind.test", "northwind-master");
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.getByRole("heading", { name: "ATS integrations" })).toBeVisible();
  const card = page.locator("[data-ats='workable']");
  await expect(card).toContainText("Not connected");
  await shot(page, "10-ats-integrations");

  await card.getByRole("link", { name: "Connect", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Connect Workable" })).toBeVisible();
  await expect(page.getByText("Candidates, write")).toBeVisible();
  await shot(page, "11-connection-guide");

  await page.getByRole("link", { name: "Continue to Workable" }).click();
  await expect(page.getByRole("heading", { name: /Authorize ats-bridge/ })).toBeVisible();
  await expect(page.getByText("r_candidates")).toBeVisible();
  await shot(page, "12-workable-authorise");
  await page.getByRole("button", { name: "Allow" }).click();

  await expect(page).toHaveURL(/\/account-settings$/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const connected = page.locator("[data-ats='workable']");
  await expect(connected.locator("h3")).toContainText("Connected");
  await expect(connected).toContainText("Workable is connected.");
  await expect(connected).toContainText("Northwind Labs (northwind)");
  await expect(connected).toContainText("Maria Keller");
  await shot(page, "13-connected");
  expect(errors).toEqual([]);
});

test("a member sees the Workable card without Connect", async ({ page }) => {
  await signIn(page, "tom@northwind.test", "northwind-member");
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.locator("[data-ats='workable']")).toBeVisible();
  await expect(page.getByRole("link", { name: "Connect", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Disconnect" })).toHaveCount(0);
  await expect(page.getByText("contact your Customer Success Manager")).toBeVisible();
});

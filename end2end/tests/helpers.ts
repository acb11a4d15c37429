import AxeBuilder from "@axe-core/playwright";
import { expect, type Locator, type Page } from "@playwright/test";

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
  await card.getByRole("link", { name: "Connect", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Subdomain").fill("northwind");
  await page.getByLabel("Access token").fill("northwind-account-token");
  await page.getByRole("button", { name: "Connect with token" }).click();
  await expect(page.locator("[data-ats='workable'] h3")).toContainText("Connected");
}

/** Maps the role (as the mapping walk does) unless it is mapped already. */
export async function ensureMapped(page: Page, role: string) {
  await page.getByRole("link", { name: "Source", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const row = page.locator(`tr[data-role="${role}"]`);
  if (!(await row.textContent())?.includes("Not mapped")) return;
  await row.getByLabel(`ATS configuration of ${role}`).click();
  await row.getByRole("link", { name: "Add ATS configuration" }).click();
  await page.getByRole("link", { name: /New configuration/ }).click();
  await page.getByRole("radio", { name: new RegExp(role) }).check();
  await page.getByRole("button", { name: "Continue to mapping" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Screening").selectOption({ label: "Phone Screen" });
  await page.getByLabel("Final interview").selectOption({ label: "Interview" });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(row).toContainText(`Mapped to ${role}`);
}

/** Sends the role's first candidate a request, accepts it on their behalf (demo) and waits until
 *  they are in the connected ATS. The role's pipeline stays open. */
export async function acceptFreshCandidate(
  page: Page,
  role: string,
  ats = "Workable",
): Promise<{ name: string; row: Locator }> {
  await page.goto("/source");
  await page.locator(`tr[data-role="${role}"]`).getByRole("link", { name: role }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const candidateSelect = page.locator(`select[name="candidate_id"]`);
  const option = candidateSelect.locator("option").first();
  const name = ((await option.textContent()) ?? "").split(" — ")[0];
  await candidateSelect.selectOption({ index: 0 });
  await page.getByRole("button", { name: "Send request" }).click();
  await page.getByRole("button", { name: `Accept on the candidate's behalf: ${name}` }).click();
  const row = page.locator(`table.pipeline tr[data-candidate="${name}"]`);
  await expect(row.locator("td.export-cell")).toContainText(`In ${ats}`, { timeout: 45_000 });
  return { name, row };
}

/** Moves a pipeline row's candidate to `stage` through the page's one candidate dialog. */
export async function moveTo(page: Page, row: Locator, name: string, stage: string) {
  await row.getByRole("link", { name: `Move ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Move ${name}` });
  await expect(dialog.getByLabel(`Stage for ${name}`)).toBeFocused();
  await dialog.getByLabel(`Stage for ${name}`).selectOption({ label: stage });
  await dialog.getByRole("button", { name: "Move" }).click();
  await expect(dialog).toBeHidden();
}

// ---- Every page at a laptop's and a phone's width, with the accessibility check ----------------

export const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
];

/** Serious and critical accessibility violations on the page as it is now, as readable lines. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

/** Checks the page at both widths: nothing wider than the screen, no serious violation; shots. */
export async function checkPage(page: Page, name: string, reach: () => Promise<void>) {
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await reach();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.screenshot({ path: `screenshots/layout-${size.width}-${name}.png`, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect.soft(overflow, `${name} at ${size.width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
    // No table wider than the column it sits in.
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("table")]
        .filter((t) => t.getBoundingClientRect().right > t.parentElement!.getBoundingClientRect().right + 1)
        .map((t) => t.className),
    );
    expect.soft(wide, `${name} at ${size.width} px: tables wider than their column`).toEqual([]);
    expect.soft(await violations(page), `${name} at ${size.width} px`).toEqual([]);
  }
}


import { expect, test, type Locator, type Page } from "@playwright/test";
import { WIDTHS, acceptFreshCandidate, checkPage, ensureConnected, ensureMapped, signIn } from "./helpers";

// Every page reads at a laptop's 1280 px and a phone's 375 px (no sideways scrolling; screenshots
// of both in end2end/screenshots/layout-<width>-<page>.png), passes the automated accessibility
// check (axe-core, WCAG 2.1 A and AA: no serious or critical violation), and the help page's
// mapping flow works by keyboard alone. Runs after the other walks (file order), so the pages
// carry mapped roles, exported candidates and interviews.

/** The id of a role, from its link on Source. */
async function roleId(page: Page, title: string): Promise<string> {
  await page.goto("/source");
  const href = await page.locator(`tr[data-role="${title}"]`).getByRole("link", { name: title }).getAttribute("href");
  return href!.split("/").pop()!;
}

test("every page reads at 1280 px and 375 px and passes the accessibility check", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));

  await checkPage(page, "sign-in", () => page.goto("/sign-in").then(() => undefined));
  await signIn(page, "maria@northwind.test", "northwind-master");
  await ensureConnected(page);
  // A candidate in Workable, with a ledger to read (the other walks leave some; alone, make one).
  await ensureMapped(page, "Senior Rust Engineer");
  await page.goto("/source");
  const tally = (await page.locator('tr[data-role="Senior Rust Engineer"] td.ats').textContent()) ?? "";
  if (!/\d+ in Workable/.test(tally)) {
    await acceptFreshCandidate(page, "Senior Rust Engineer");
  }
  const manager = await roleId(page, "Engineering Manager");
  const rust = await roleId(page, "Senior Rust Engineer");

  await checkPage(page, "source", () => page.goto("/source").then(() => undefined));
  await checkPage(page, "account-settings", () => page.goto("/account-settings").then(() => undefined));
  // Connected, the card still leads to the connection guide.
  await page.locator("[data-ats='workable']").getByRole("link", { name: "How the Workable connection works" }).click();
  await expect(page.getByRole("heading", { name: "Connecting Workable" })).toBeVisible();
  await expect(page.getByText("r_candidates").first()).toBeVisible();
  await checkPage(page, "connection-guide", () => page.goto("/integrations/workable/guide").then(() => undefined));
  await checkPage(page, "insights", async () => {
    await page.goto("/insights?range=365");
    await expect(page.locator("svg.chart").first()).toBeVisible();
  });
  await checkPage(page, "source-guide", async () => {
    await page.goto("/integrations/workable/source-guide");
    await expect(page.locator("[data-check='source']")).toBeVisible();
  });
  // The pipeline's candidate dialog, open.
  await checkPage(page, "pipeline-dialog", async () => {
    await page.goto(`/roles/${rust}`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.locator("table.pipeline td.interviews a").first().click();
    await expect(page.getByRole("dialog")).toBeVisible();
  });
  await checkPage(page, "pipeline", async () => {
    await page.goto(`/roles/${rust}`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // The ledger open: it must have room to read.
    const ledger = page.locator("td.export-cell details.ledger").first();
    await ledger.locator("summary").click();
    const box = await ledger.boundingBox();
    expect(box!.width, "the ledger's width").toBeGreaterThanOrEqual(Math.min(260, page.viewportSize()!.width - 80));
  });
  await checkPage(page, "wizard-1-start", () => page.goto(`/roles/${manager}/ats`).then(() => undefined));
  await checkPage(page, "wizard-2-job", () => page.goto(`/roles/${manager}/ats/job`).then(() => undefined));
  await checkPage(page, "wizard-3-mapping", async () => {
    await page.goto(`/roles/${manager}/ats/job`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByRole("radio").first().check();
    await page.getByRole("button", { name: "Continue to mapping" }).click();
    await expect(page.getByRole("heading", { name: "Map the stages" })).toBeVisible();
  });
  await checkPage(page, "edit-mapping", () => page.goto(`/roles/${rust}/ats/mapping`).then(() => undefined));
  expect(errors).toEqual([]);
});

test("Source searches and filters its roles, and the filter is a link", async ({ page }) => {
  await signIn(page, "maria@northwind.test", "northwind-master");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Search roles").fill("rust");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/search=rust/);
  await expect(page.locator("table.roles tbody tr")).toHaveCount(1);
  await expect(page.locator('tr[data-role="Senior Rust Engineer"]')).toBeVisible();
  await expect(page.getByText(/^1 of \d+ roles match\.$/)).toBeVisible();
  // The unmapped warning still counts every live role, whatever the list shows.
  const warning = await page.locator(".attention").textContent();
  await page.goto("/source?status=draft");
  await expect(page.getByLabel("Status")).toHaveValue("draft");
  await expect(page.locator("table.roles tbody tr")).toHaveCount(await page.locator('table.roles tbody tr:has(.badge-draft)').count());
  await expect(page.locator("table.roles .badge-live")).toHaveCount(0);
  expect(await page.locator(".attention").textContent()).toEqual(warning);
  await page.goto("/source?search=nothing-like-this");
  await expect(page.getByText("No role matches these filters.")).toBeVisible();
  await expect(page.getByText("No roles yet")).toHaveCount(0);
});

test("an open ⋮ menu never covers its own row", async ({ page }) => {
  await signIn(page, "maria@northwind.test", "northwind-master");
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.goto("/source");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const row = page.locator('tr[data-role="Senior Rust Engineer"]');
    await row.getByLabel("ATS configuration of Senior Rust Engineer").click();
    const menu = row.locator("details.menu ul");
    await expect(menu).toBeVisible();
    const [m, ats] = [await menu.boundingBox(), await row.locator("td.ats").boundingBox()];
    const overlaps = m!.x < ats!.x + ats!.width && ats!.x < m!.x + m!.width && m!.y < ats!.y + ats!.height && ats!.y < m!.y + m!.height;
    expect(overlaps, `at ${size.width} px the menu covers the ATS cell`).toBe(false);
    await page.screenshot({ path: `screenshots/layout-${size.width}-menu-open.png`, fullPage: true });
  }
});

/** Presses Tab until `target` has the focus, as a person would (fails after 150 presses). */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 150; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("signing in, mapping, editing one stage and removing work by keyboard alone", async ({ page }) => {
  await page.goto("/sign-in");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await tabTo(page, page.getByLabel("Email"));
  await page.keyboard.type("maria@northwind.test");
  await page.keyboard.press("Tab");
  await page.keyboard.type("northwind-master");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();
  await ensureConnected(page);
  await page.goto("/source");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const row = page.locator('tr[data-role="Engineering Manager"]');
  const menu = row.getByLabel("ATS configuration of Engineering Manager");

  // Add: ⋮ → Add ATS configuration → New configuration → a job → Continue to mapping → Save.
  await tabTo(page, menu);
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(row.getByRole("link", { name: "Add ATS configuration" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Add ATS configuration" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await tabTo(page, page.getByRole("link", { name: /New configuration/ }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Choose the Workable job" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await tabTo(page, page.getByLabel("Search Workable jobs"));
  await page.keyboard.type("frontend");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  await expect(page.locator("label.job:visible").getByRole("radio").first()).toBeChecked();
  await tabTo(page, page.getByRole("button", { name: "Continue to mapping" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Map the stages" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await tabTo(page, page.getByRole("button", { name: "Save" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();
  await expect(row).toContainText("Mapped to");

  // Edit one stage: ⋮ → Edit ATS configuration opens the table; one select, Save.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await tabTo(page, menu);
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(row.getByRole("link", { name: "Edit ATS configuration" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Edit ATS configuration" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const offer = page.getByLabel("Offer", { exact: true });
  const before = await offer.inputValue();
  await tabTo(page, offer);
  await page.keyboard.press(before === "" ? "ArrowDown" : "ArrowUp");
  const after = await offer.inputValue();
  expect(after).not.toEqual(before);
  await tabTo(page, page.getByRole("button", { name: "Save" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();
  await page.goto(`/roles/${await roleId(page, "Engineering Manager")}/ats/mapping`);
  await expect(page.getByLabel("Offer", { exact: true })).toHaveValue(after);

  // Remove: ⋮ → Remove ATS configuration → confirm.
  await page.goto("/source");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await tabTo(page, menu);
  await page.keyboard.press("Enter");
  await tabTo(page, row.getByRole("link", { name: "Remove ATS configuration" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Remove ATS configuration" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await tabTo(page, page.getByRole("button", { name: "Remove ATS configuration" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();
  await expect(row).toContainText("Not mapped");
});

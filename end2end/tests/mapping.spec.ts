import { expect, test, type Page } from "@playwright/test";
import { ensureConnected, shot, signIn } from "./helpers";

// Map roles the way the product says it: Source → ⋮ → Add ATS configuration → New configuration →
// the Workable job → Continue to mapping → the mapping table → Save; then Import existing
// configuration for a second role; then publish a new role and complete the prompt.
// Screenshots land in end2end/screenshots/ (ignored by git).

/** The ⋮ menu of a role's row on Source, opened. */
async function openMenu(page: Page, role: string) {
  const row = page.locator(`tr[data-role="${role}"]`);
  await row.getByLabel(`ATS configuration of ${role}`).click();
  return row;
}

test("roles are mapped to Workable jobs: new, imported, and right after publishing", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes("status of 4")) errors.push(`console: ${m.text()}`);
  });

  await signIn(page, "tom@northwind.test", "northwind-member");
  await ensureConnected(page);
  await page.getByRole("link", { name: "Source", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const rust = page.locator('tr[data-role="Senior Rust Engineer"]');
  await expect(rust).toContainText("Not mapped");
  await expect(page.getByText(/live roles? (is|are) not mapped to Workable/)).toBeVisible();
  await shot(page, "20-source-unmapped");

  // ⋮ → Add ATS configuration
  await openMenu(page, "Senior Rust Engineer");
  await shot(page, "21-menu-open");
  await rust.getByRole("link", { name: "Add ATS configuration" }).click();
  await expect(page.getByRole("heading", { name: "Add ATS configuration" })).toBeVisible();
  await shot(page, "22-wizard-start");

  // New configuration → the job list, searchable, the suggestion preselected
  await page.getByRole("link", { name: /New configuration/ }).click();
  await expect(page.getByRole("heading", { name: "Choose the Workable job" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const suggested = page.locator("label.job.suggested");
  await expect(suggested).toContainText("Senior Rust Engineer");
  await expect(suggested.getByRole("radio")).toBeChecked();
  await page.getByLabel("Search Workable jobs").fill("amsterdam data");
  await expect(page.locator("label.job:visible")).toHaveCount(1);
  await expect(page.locator("label.job:visible")).toContainText("Data Engineer");
  await shot(page, "23-job-search");
  await page.getByLabel("Search Workable jobs").fill("rust");
  await expect(page.locator("label.job:visible")).toHaveCount(1);
  await page.getByRole("radio", { name: /Senior Rust Engineer/ }).check();
  await shot(page, "24-job-chosen");
  await page.getByRole("button", { name: "Continue to mapping" }).click();

  // The mapping table: map the stages, leave Offer blank, Save
  await expect(page.getByRole("heading", { name: "Map the stages" })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Request accepted").selectOption({ label: "Sourced" });
  await page.getByLabel("Screening").selectOption({ label: "Phone Screen" });
  await page.getByLabel("Technical interview").selectOption({ label: "Assessment" });
  await page.getByLabel("Final interview").selectOption({ label: "Interview" });
  await page.getByLabel("Offer").selectOption({ label: "— Nothing (blank) —" });
  await page.getByLabel("Hired").selectOption({ label: "Hired" });
  await expect(page.getByLabel("Rejected")).toHaveValue("disqualify");
  await expect(page.getByLabel("Withdrawn")).toHaveValue("disqualify");
  await shot(page, "25-mapping-table");

  // A choice the server refuses (a Workable stage that is not in the job, as a stale page would
  // send): the error says which, that row is marked, and every other choice made stays.
  await page.getByLabel("Technical interview").evaluate((select: HTMLSelectElement) => {
    select.add(new Option("Gone", "move:no-such-stage"));
    select.value = "move:no-such-stage";
  });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByLabel("Technical interview")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("heading", { name: "Map the stages" })).toBeVisible();
  await expect(page.getByLabel("Screening").locator("option:checked")).toHaveText("Phone Screen");
  await expect(page.getByLabel("Final interview").locator("option:checked")).toHaveText("Interview");
  await expect(page.getByLabel("Offer").locator("option:checked")).toHaveText("— Nothing (blank) —");
  await shot(page, "25b-mapping-refused");
  await page.getByLabel("Technical interview").selectOption({ label: "Assessment" });
  await page.getByRole("button", { name: "Save" }).click();

  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();
  await expect(rust).toContainText("Mapped to Senior Rust Engineer");
  await shot(page, "26-source-mapped");

  // The first mapping offers to export who accepted before — offered, never imposed.
  const offer = page.getByRole("dialog", { name: "Senior Rust Engineer is mapped" });
  await expect(offer).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await offer.getByRole("link", { name: "Not now" }).click();
  await expect(offer).toBeHidden();
  // Declined: a quiet line in the role's row says who is not in Workable, with the action.
  await expect(rust).toContainText(/\d+ earlier candidates? (is|are) not in Workable/);
  await expect(rust.getByRole("button", { name: "Export the earlier candidates of Senior Rust Engineer" })).toBeVisible();
  await shot(page, "26a-backfill-declined");

  // The role's pipeline says why they are not there, and exports them later from its own line;
  // progress shows live.
  await rust.getByRole("link", { name: "Senior Rust Engineer" }).click();
  await expect(page.locator("td.export-cell").first()).toContainText("Accepted before the role was mapped");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await shot(page, "26b-pipeline-earlier");
  await page.getByRole("button", { name: "Export the earlier candidates of Senior Rust Engineer" }).click();
  await expect(page.getByText(/earlier candidates? (is|are) not in Workable/)).toBeHidden({ timeout: 45_000 });
  await expect(page.locator("td.export-cell", { hasText: /Queued|Waiting/ })).toHaveCount(0, { timeout: 45_000 });
  await shot(page, "26c-backfill-done");

  // The pipeline shows each candidate's export, its ledger, and the way into Workable.
  const exported = page.locator("td.export-cell").first();
  await expect(exported).toContainText("In Workable");
  await exported.getByText("Ledger").click();
  await expect(exported).toContainText("Created in Workable.");
  await expect(exported).toContainText("confirmed by Workable");
  await shot(page, "26d-pipeline-exported");
  const workableUrl = await exported.getByRole("link", { name: "Open in Workable" }).getAttribute("href");
  await page.goto(workableUrl!);
  await expect(page.getByText(/Marketplace profile - /).first()).toBeVisible();
  await shot(page, "26e-in-workable");
  await page.goto("/source");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

  // A second role: Import existing configuration, with the keyboard through the ⋮ menu.
  const frontend = page.locator('tr[data-role="Frontend Engineer (Leptos)"]');
  await frontend.getByLabel("ATS configuration of Frontend Engineer (Leptos)").focus();
  await page.keyboard.press("Enter");
  await frontend.getByRole("link", { name: "Add ATS configuration" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Add ATS configuration" })).toBeVisible();
  await page.getByRole("link", { name: /Import existing configuration/ }).click();
  await expect(page.getByRole("heading", { name: "Import existing configuration", level: 2 })).toBeVisible();
  await shot(page, "27-import-list");
  await page.getByRole("link", { name: "Senior Rust Engineer → Senior Rust Engineer" }).click();
  await expect(page.getByText("Importing the stage mapping of")).toBeVisible();
  await expect(page.locator("label.job.suggested")).toContainText("Frontend Engineer");
  await page.getByRole("button", { name: "Continue to mapping" }).click();
  await expect(page.getByText("Imported from")).toBeVisible();
  await expect(page.getByLabel("Screening")).toHaveValue("move:phone-screen");
  await expect(page.getByLabel("Offer")).toHaveValue("none");
  await shot(page, "28-imported-mapping");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(frontend).toContainText("Mapped to Frontend Engineer");

  // Publish a new role: the prompt offers its ATS configuration; import is the quick path.
  const title = `Site Reliability Engineer ${Date.now() % 100000}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Location").fill("Berlin");
  await page.getByLabel("Publish now").check();
  await page.getByRole("button", { name: "Create role" }).click();
  const prompt = page.getByRole("dialog", { name: `${title} is live` });
  await expect(prompt).toBeVisible();
  await expect(page.getByLabel("Title")).toHaveValue("");
  await shot(page, "29-publish-prompt");
  await prompt.getByRole("link", { name: "Import existing configuration" }).click();
  await page.getByRole("link", { name: "Senior Rust Engineer → Senior Rust Engineer" }).click();
  await page.getByRole("radio", { name: /Backend Engineer \(Go\)/ }).check();
  await page.getByRole("button", { name: "Continue to mapping" }).click();
  await expect(page.getByRole("heading", { name: "Map the stages" })).toBeVisible();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(`tr[data-role="${title}"]`)).toContainText("Mapped to Backend Engineer (Go)");
  await shot(page, "30-published-and-mapped");

  // Editing is editing: Edit ATS configuration opens the current job's mapping table at once;
  // one stage changed and saved in one step.
  await openMenu(page, title);
  await page.locator(`tr[data-role="${title}"]`).getByRole("link", { name: "Edit ATS configuration" }).click();
  await expect(page.getByRole("heading", { name: "Edit ATS configuration" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Change Workable job" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Copy from another role" })).toBeVisible();
  await expect(page.getByLabel("Screening")).toHaveValue("move:phone-screen");
  await page.getByLabel("Screening").selectOption({ label: "— Nothing (blank) —" });
  await shot(page, "30b-edit-mapping");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(`tr[data-role="${title}"]`)).toContainText("Mapped to Backend Engineer (Go)");
  await openMenu(page, title);
  await page.locator(`tr[data-role="${title}"]`).getByRole("link", { name: "Edit ATS configuration" }).click();
  await expect(page.getByLabel("Screening")).toHaveValue("none");
  await page.getByRole("link", { name: "← Source" }).click();
  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();

  // Remove is offered once mapped; removing asks first.
  await openMenu(page, title);
  await page.locator(`tr[data-role="${title}"]`).getByRole("link", { name: "Remove ATS configuration" }).click();
  await expect(page.getByText("will stop sending candidates")).toBeVisible();
  await shot(page, "31-remove-confirm");
  await page.getByRole("button", { name: "Remove ATS configuration" }).click();
  await expect(page.locator(`tr[data-role="${title}"]`)).toContainText("Not mapped");
  expect(errors).toEqual([]);
});

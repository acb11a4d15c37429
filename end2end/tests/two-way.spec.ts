import { expect, test, type Page } from "@playwright/test";
import { acceptFreshCandidate, ensureConnected, ensureMapped, moveTo, shot, signIn } from "./helpers";

// Stage changes flow both ways: a move in the marketplace shows in Workable (the sandbox's own
// page), a move made in Workable's page comes back to the pipeline (webhook), and an interview
// scheduled here lands on the Workable timeline.

const ROLE = "Senior Rust Engineer";

// This walk's browser is in New York.
test.use({ timezoneId: "America/New_York" });

test("a first sign-in takes the browser's time zone; Account settings changes it", async ({ page }) => {
  // Hank signs in for the first time: his browser's zone is his.
  await signIn(page, "hank@globex.test", "globex-master");
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.getByText("Interview times are shown and entered in America/New_York.")).toBeVisible();
  await expect(page.getByLabel("Time zone")).toHaveValue("America/New_York");
  // He moves to Lisbon.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Time zone").selectOption("Europe/Lisbon");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Interview times are shown and entered in Europe/Lisbon.")).toBeVisible();
  await shot(page, "47-time-zone-chosen");
});

test("stage changes flow both ways, and interviews reach the Workable timeline", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));

  await signIn(page, "maria@northwind.test", "northwind-master");
  await ensureConnected(page);
  await ensureMapped(page, ROLE);

  // A fresh candidate: send a request, accept it on their behalf (demo), wait for the export.
  const { name, row } = await acceptFreshCandidate(page, ROLE);

  // Marketplace → Workable: Screening is mapped to Phone Screen.
  await moveTo(page, row, name, "Screening");
  await expect(row.locator("td.stage")).toContainText("Screening");
  await expect(async () => {
    await page.reload();
    await row.locator("td.export-cell").getByText("Ledger").click();
    await expect(row.locator("td.export-cell")).toContainText("Moved to “Phone Screen” in Workable", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await shot(page, "40-moved-in-marketplace");
  const pipelineUrl = page.url();
  const workableUrl = await row.getByRole("link", { name: "Open in Workable" }).getAttribute("href");
  await page.goto(workableUrl!);
  const inWorkable = page.locator(`tr[data-candidate="${name}"]`);
  await expect(inWorkable.locator("td.stage")).toContainText("Phone Screen");
  await shot(page, "41-workable-shows-phone-screen");

  // Workable → marketplace: move them to Interview on Workable's page; it maps back to Final interview.
  await inWorkable.getByLabel(`Stage for ${name}`).selectOption({ label: "Interview" });
  await inWorkable.getByRole("button", { name: "Move" }).click();
  await expect(page.locator(`tr[data-candidate="${name}"] td.stage`)).toContainText("Interview");
  await shot(page, "42-moved-in-workable");
  await page.goto(pipelineUrl);
  await expect(async () => {
    await page.reload();
    await expect(row.locator("td.stage")).toContainText("Final interview", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(row).toContainText("by Workable");
  await shot(page, "43-pipeline-shows-workable-move");

  // An interview, scheduled in New York time (Maria's zone was UTC since her first sign-in, in
  // another walk: she chooses hers), posted to the Workable timeline with both zones.
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Time zone").selectOption("America/New_York");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Interview times are shown and entered in America/New_York.")).toBeVisible();
  await page.goto(pipelineUrl);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await row.getByRole("link", { name: `Schedule interview with ${name}` }).click();
  const schedule = page.getByRole("dialog", { name: `Schedule interview with ${name}` });
  await expect(schedule.getByText("Starts (America/New_York)")).toBeVisible();
  await schedule.getByLabel(`Interview kind for ${name}`).selectOption({ label: "Technical interview" });
  await schedule.getByLabel(`Interview start for ${name}`).fill("2026-12-03T09:30");
  await schedule.getByLabel(`Interviewer for ${name}`).fill("Dana Kim");
  await shot(page, "43b-schedule-dialog");
  await schedule.getByRole("button", { name: "Schedule" }).click();
  await expect(row.locator(".interview")).toContainText("Technical interview · Thu 3 Dec 2026, 09:30 EST");
  // Scheduled: the dialog closes; the row shows the interview.
  await expect(schedule).toBeHidden();
  await expect(row.locator(".interview")).toContainText("On the Workable timeline", { timeout: 30_000 });
  await shot(page, "44-interview-scheduled");
  await page.goto(workableUrl!);
  await expect(page.locator(`tr[data-candidate="${name}"]`)).toContainText(
    "Technical interview: Thu 3 Dec 2026, 09:30 EST (America/New_York) = 14:30 UTC (60 min), with Dana Kim.",
  );
  await shot(page, "45-interview-in-workable");

  // Cancelled here: the timeline says so too.
  await page.goto(pipelineUrl);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await row.getByRole("button", { name: `Cancel the technical interview with ${name}` }).click();
  await expect(row.locator(".interview")).toContainText("Cancelled");
  await expect(row.locator(".interview")).toContainText("On the Workable timeline", { timeout: 30_000 });
  await page.goto(workableUrl!);
  await expect(page.locator(`tr[data-candidate="${name}"]`)).toContainText("Interview cancelled on the marketplace");

  // The connection card says webhooks are on and when the last one came.
  await page.goto("/account-settings");
  const card = page.locator("[data-ats='workable']");
  await expect(card).toContainText("On — moves and disqualifications in Workable come back within seconds");
  await expect(card.locator("dd").filter({ hasText: /UTC/ }).first()).toBeVisible();
  await shot(page, "46-card-webhooks");

  // The Candidate Source setup guide, from the card: the last candidate exported (this one) is
  // attributed to the marketplace, as Workable's API reports it now.
  await card.getByRole("link", { name: "Candidate Source setup guide" }).click();
  await expect(page.getByRole("heading", { name: "Candidate Source setup guide" })).toBeVisible();
  const check = page.locator("[data-check='source']");
  await expect(check).toContainText(`✓ ${name} (${ROLE})`);
  await expect(check).toContainText("Workable reports their source as 127.0.0.1.");
  await shot(page, "48-source-guide");
  expect(errors).toEqual([]);
});

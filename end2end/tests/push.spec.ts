import { expect, test, type Page } from "@playwright/test";
import { ensureConnected, signIn } from "./helpers";

// An open pipeline (and Source) is told of changes by the server (one server-sent-events
// connection) instead of asking on a timer: every acceptance reaches "In Workable" on the page
// without a reload, and an idle page sends no request at all.

/** Creates a live role and maps it to the first Workable job offered; leaves Source open. */
async function mappedRole(page: Page, title: string) {
  await page.goto("/source");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Location").fill("Remote");
  await page.getByRole("button", { name: "Create role" }).click();
  const row = page.locator(`tr[data-role='${title}']`);
  await row.getByRole("button", { name: `Publish ${title}` }).click();
  await expect(row).toContainText("Live");
  await row.getByLabel(`ATS configuration of ${title}`).click();
  await row.getByRole("link", { name: "Add ATS configuration" }).click();
  await page.getByRole("link", { name: /New configuration/ }).click();
  await page.getByRole("radio").first().check();
  await page.getByRole("button", { name: "Continue to mapping" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(`tr[data-role='${title}']`)).toContainText("Mapped to");
}

/** Sends the first candidate offered a request and accepts it on their behalf; their name. */
async function sendAndAccept(page: Page): Promise<string> {
  const select = page.locator(`select[name="candidate_id"]`);
  const name = ((await select.locator("option").first().textContent()) ?? "").split(" — ")[0];
  await select.selectOption({ index: 0 });
  await page.getByRole("button", { name: "Send request" }).click();
  await page.getByRole("button", { name: `Accept on the candidate's behalf: ${name}` }).click();
  await expect(page.locator(`table.pipeline tr[data-candidate="${name}"]`)).toBeVisible();
  return name;
}

test("thirty acceptances in a row each reach In Workable on the open page without a reload", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, "maria@northwind.test", "northwind-master");
  await ensureConnected(page);
  const accepted: string[] = [];
  const stamp = Date.now();
  // Twenty demo candidates: two fresh roles, fifteen acceptances each.
  for (const title of [`Push A ${stamp}`, `Push B ${stamp}`]) {
    await mappedRole(page, title);
    await page.locator(`tr[data-role='${title}']`).getByRole("link", { name: title }).click();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // Marks this document: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    const names: string[] = [];
    for (let n = 0; n < 15; n++) names.push(await sendAndAccept(page));
    expect(new Set(names).size, "fifteen different candidates").toBe(15);
    for (const name of names) {
      const cell = page.locator(`table.pipeline tr[data-candidate="${name}"] td.export-cell`);
      await expect(cell, `${name} in Workable`).toContainText("In Workable", { timeout: 120_000 });
    }
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    accepted.push(...names);
  }
  expect(accepted).toHaveLength(30);

  // Idle: once the last export is done, the open page asks the server nothing.
  await page.waitForTimeout(2_000);
  const asked: string[] = [];
  page.on("request", (request) => asked.push(`${request.method()} ${request.url()}`));
  await page.waitForTimeout(10_000);
  expect(asked, "requests from an idle open pipeline in 10 s").toEqual([]);

  // The same on Source, whose counts follow the exports the same way.
  await page.goto("/source");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.waitForTimeout(1_000);
  asked.length = 0;
  await page.waitForTimeout(5_000);
  expect(asked, "requests from an idle Source page in 5 s").toEqual([]);
});

test("a change pushed to an open Source page keeps what is being typed and the menu that is open", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const watcher = await context.newPage();
  await signIn(watcher, "maria@northwind.test", "northwind-master");
  await expect(watcher.locator("body")).toHaveAttribute("data-hydrated", "true");
  await watcher.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  await watcher.getByLabel("Title").fill("Half-typed title");
  await watcher.getByLabel("Location").focus();
  const rust = watcher.locator('tr[data-role="Senior Rust Engineer"]');
  await rust.getByLabel("ATS configuration of Senior Rust Engineer").click();
  await expect(rust.locator("details.menu")).toHaveAttribute("open", "");

  // Someone else (another tab) creates a role: the open page is told and reads itself again.
  const other = await context.newPage();
  await other.goto("/source");
  await expect(other.locator("body")).toHaveAttribute("data-hydrated", "true");
  const title = `Pushed ${Date.now()}`;
  await other.getByLabel("Title").fill(title);
  await other.getByLabel("Location").fill("Remote");
  await other.getByRole("button", { name: "Create role" }).click();
  await expect(other.locator(`tr[data-role='${title}']`)).toContainText("Draft");

  await expect(watcher.locator(`tr[data-role='${title}']`)).toContainText("Draft");
  await expect(watcher.getByLabel("Title")).toHaveValue("Half-typed title");
  await expect(rust.locator("details.menu")).toHaveAttribute("open", "");
  expect(await watcher.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  await context.close();
});

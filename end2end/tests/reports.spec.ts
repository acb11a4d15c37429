import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ensureConnected, ensureMapped, shot, signIn } from "./helpers";

// Insights on the demo: the marketplace funnel counts what our database holds, hires by source
// what the sandbox's API lists for the mapped job, for the range chosen; each chart downloads as
// CSV. The walk counts both sides itself and compares. (Named to run after mapping.spec, which
// maps the Rust role through the wizard itself.)

const RUST_JOB = "NOR01RUST01";

/** A count from the server's own SQLite database (the suite gives its data directory). */
function sql(query: string, ...params: (string | number)[]): number {
  const dir = process.env.ATS_BRIDGE_DATA_DIR;
  if (!dir) throw new Error("ATS_BRIDGE_DATA_DIR is not set: run the walks through scripts/browser-suite");
  const script = "import sqlite3, sys, json; c = sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2], json.loads(sys.argv[3])).fetchone()[0])";
  const out = execFileSync("python3", ["-c", script, join(dir, "ats-bridge.db"), query, JSON.stringify(params)]);
  return Number(out.toString().trim());
}

/** The sandbox's candidates of one job as its API lists them, page by page. */
async function workableCandidates(page: Page, shortcode: string) {
  const all: { common_source: string; created_at: string; hired_at: string | null }[] = [];
  let url: string | null = `/sandbox/northwind/spi/v3/candidates?shortcode=${shortcode}&limit=100`;
  while (url) {
    const response = await page.request.get(url, { headers: { Authorization: "Bearer northwind-account-token" } });
    expect(response.status()).toBe(200);
    const body = await response.json();
    all.push(...body.candidates);
    url = body.paging?.next ?? null;
  }
  return all;
}

/** The page's table as { first cell → the other cells }. */
async function table(page: Page, chart: string): Promise<Map<string, string[]>> {
  const rows = await page.locator(`table[data-chart="${chart}"] tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())),
  );
  return new Map(rows.map((cells) => [cells[0], cells.slice(1)]));
}

test("Insights shows the funnel and hires by source as the database and Workable count them", async ({ page }) => {
  await signIn(page, "maria@northwind.test", "northwind-master");
  await ensureConnected(page);
  await ensureMapped(page, "Senior Rust Engineer");

  await page.getByRole("link", { name: "Insights", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Insights", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Marketplace funnel" })).toBeVisible();
  // Mapping the job queued its first read: the page says as of when once it is done.
  await expect(async () => {
    await page.reload();
    await expect(page.locator("[data-as-of]")).toContainText("as of", { timeout: 1_000 });
  }).toPass({ timeout: 45_000 });
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await shot(page, "40-insights-90-days");

  // A year, the Rust job only, by keyboard-reachable form fields.
  const ninety = await page.locator("[data-range]").getAttribute("data-from");
  await page.getByLabel("Range").selectOption({ label: "Last 365 days" });
  await page.getByLabel("Workable job").selectOption({ label: "Senior Rust Engineer" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/range=365/);
  await expect(page).toHaveURL(new RegExp(`job=${RUST_JOB}`));
  await expect(page.locator("[data-range]")).not.toHaveAttribute("data-from", ninety!);
  await expect(page.getByLabel("Workable job")).toHaveValue(RUST_JOB);
  const range = page.locator("[data-range]");
  await expect(range).toContainText(/Showing \d{4}-\d\d-\d\d to/);
  await expect(page.locator("svg.chart")).toHaveCount(2);
  await shot(page, "41-insights-365-days");
  const from = Number(await range.getAttribute("data-from"));
  const to = Number(await range.getAttribute("data-to"));

  // The funnel: requests Northwind sent in the range, as our database counts them.
  const company = sql("SELECT id FROM companies WHERE name = ?", "Northwind Labs");
  const funnel = await table(page, "funnel");
  const sent = sql("SELECT COUNT(*) FROM requests WHERE company_id = ? AND sent_at >= ? AND sent_at < ?", company, from, to);
  const accepted = sql("SELECT COUNT(*) FROM requests WHERE company_id = ? AND status = 'accepted' AND sent_at >= ? AND sent_at < ?", company, from, to);
  const hired = sql(
    "SELECT COUNT(DISTINCT m.request_id) FROM stage_moves m JOIN requests r ON r.id = m.request_id WHERE r.company_id = ? AND m.to_stage = 'hired' AND r.sent_at >= ? AND r.sent_at < ?",
    company, from, to,
  );
  expect(sent).toBeGreaterThan(10);
  expect(hired).toBeGreaterThan(0);
  expect(funnel.get("Requests sent")?.[0]).toBe(String(sent));
  expect(funnel.get("Accepted")?.[0]).toBe(String(accepted));
  expect(funnel.get("Hired")?.[0]).toBe(String(hired));

  // Hires by source: the Rust job's candidates created in the range, as Workable's API lists them
  // (the page is as of its last read: what other walks just did in Workable reaches it through
  // the exports and webhooks of the moment, so look again until both agree).
  await expect(async () => {
    await page.reload();
    const [since, until] = [Number(await range.getAttribute("data-from")), Number(await range.getAttribute("data-to"))];
    const listed = (await workableCandidates(page, RUST_JOB)).filter((c) => {
      const created = Date.parse(c.created_at);
      return created >= since && created < until;
    });
    const expected = new Map<string, string>();
    const counts = new Map<string, { candidates: number; hired: number }>();
    for (const c of listed) {
      const entry = counts.get(c.common_source) ?? { candidates: 0, hired: 0 };
      entry.candidates += 1;
      if (c.hired_at) entry.hired += 1;
      counts.set(c.common_source, entry);
    }
    for (const [source, { candidates, hired }] of counts) expected.set(source, `${candidates} · ${hired} hired`);
    const sources = await table(page, "sources");
    const shown = new Map([...sources].map(([source, cells]) => [source, `${cells[0]} · ${cells[3].split(" ")[0]} hired`]));
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(expected));
    expect(shown.has("linkedin.com")).toBe(true);
  }).toPass({ timeout: 30_000 });

  // A shorter range counts fewer requests; the CSV says what the chart shows.
  await page.getByLabel("Range").selectOption({ label: "Last 30 days" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/range=30/);
  await expect(range).not.toHaveAttribute("data-from", String(from));
  const recent = Number((await table(page, "funnel")).get("Requests sent")?.[0]);
  expect(recent).toBeLessThan(sent);
  const download = page.waitForEvent("download");
  await page.locator("section", { has: page.getByRole("heading", { name: "Marketplace funnel" }) }).getByRole("link", { name: "Download CSV" }).click();
  const csv = readFileSync((await (await download).path())!, "utf8");
  expect(csv.split("\n")[0].trim()).toBe("Step,Count,Conversion,Of step");
  expect(csv).toContain(`Requests sent,${recent},,`);
  await shot(page, "42-insights-30-days");

  // Custom dates: the range the page counts is the one asked for, both days included.
  await page.getByLabel("Range").selectOption({ label: "Custom dates" });
  await page.getByLabel("From", { exact: true }).fill("2026-01-01");
  await page.getByLabel("To", { exact: true }).fill("2026-06-30");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/range=custom&from=2026-01-01&to=2026-06-30/);
  await expect(range).toContainText("Showing 2026-01-01 to 2026-06-30 (UTC).");
  const [first, last] = [Number(await range.getAttribute("data-from")), Number(await range.getAttribute("data-to"))];
  expect([first, last]).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 6, 1)]);
  const inHalf = sql("SELECT COUNT(*) FROM requests WHERE company_id = ? AND sent_at >= ? AND sent_at < ?", company, first, last);
  expect((await table(page, "funnel")).get("Requests sent")?.[0]).toBe(String(inHalf));
});

test("Insights' CSV is for signed-in users, and a bad range is refused with the reason", async ({ page }) => {
  // Another company's view (Globex asking for Northwind's job and role) is checked in
  // server/tests/api/insights.rs: signing Globex in here would take its first sign-in's time
  // zone, which two-way.spec checks.
  const anonymous = await page.request.get("/insights/funnel.csv", { maxRedirects: 0 });
  expect(anonymous.status()).toBe(401);
  await signIn(page, "maria@northwind.test", "northwind-master");
  const bad = await page.request.get("/insights/funnel.csv?range=custom&from=2026-02-30&to=2026-03-01");
  expect(bad.status()).toBe(400);
  expect(await bad.text()).toContain("YYYY-MM-DD");
});

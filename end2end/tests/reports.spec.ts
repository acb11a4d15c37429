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

  // Hires by source: the Rust job's candidates created in the range, as Workable's API lists them.
  const listed = (await workableCandidates(page, RUST_JOB)).filter((c) => {
    const created = Date.parse(c.created_at);
    return created >= from && created < to;
  });
  const expected = new Map<string, { candidates: number; hired: number }>();
  for (const c of listed) {
    const entry = expected.get(c.common_source) ?? { candidates: 0, hired: 0 };
    entry.candidates += 1;
    if (c.hired_at) entry.hired += 1;
    expected.set(c.common_source, entry);
  }
  const sources = await table(page, "sources");
  expect([...sources.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [source, { candidates, hired }] of expected) {
    const cells = sources.get(source)!;
    expect(cells[0], source).toBe(String(candidates));
    expect(cells[3].split(" ")[0], source).toBe(String(hired));
  }
  expect(sources.has("linkedin.com")).toBe(true);

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
});

test("Insights and its CSV are for the signed-in company only", async ({ page }) => {
  const anonymous = await page.request.get("/insights/funnel.csv", { maxRedirects: 0 });
  expect(anonymous.status()).toBe(401);
  await signIn(page, "hank@globex.test", "globex-master");
  await page.goto(`/insights?range=365&job=${RUST_JOB}`);
  await expect(page.getByRole("heading", { name: "Insights", level: 1 })).toBeVisible();
  await expect(page.locator("table[data-chart='sources']")).toHaveCount(0);
  const csv = await (await page.request.get(`/insights/sources.csv?range=365&job=${RUST_JOB}`)).text();
  expect(csv.trim()).toBe("Source,Candidates,Reached interview,Reached offer,Hired,Median days to hire");
  const bad = await page.request.get("/insights/funnel.csv?range=7");
  expect(bad.status()).toBe(400);
});

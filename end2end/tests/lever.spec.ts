import { type APIRequestContext, expect, test } from "@playwright/test";
import { acceptFreshCandidate, checkPage, moveTo, shot, signIn } from "./helpers";

// A second ATS: Globex connects Lever (the built-in Lever sandbox) through Lever's authorisation
// page (a wrong API key refused first), maps a role
// to a Lever posting with the same wizard, and a candidate accepted on the marketplace lands in
// Lever once, with the CV as the resume and the profile as a file — checked through Lever's API.

// Hank's browser is in New York, as in the time-zone walk (whichever signs him in first sets it).
test.use({ timezoneId: "America/New_York" });

const KEY = "lvr_globex_8a7b6c5d4e3f20110213243546576879";
const GLOBEX = "00000000-0000-4000-8000-00000000a002";
const ROLE = "Platform Engineer";
const POSTING = "Senior Rust Engineer";

const AUTH = { Authorization: `Basic ${Buffer.from(`${KEY}:`).toString("base64")}` };

/** A Lever API read with Globex's key, as any tool of Globex's would make it. */
async function lever(request: APIRequestContext, path: string) {
  const answer = await request.get(`/lever-sandbox/v1${path}`, { headers: AUTH });
  expect(answer.status()).toBe(200);
  return (await answer.json()).data;
}

/** Every webhook of Globex's Lever account, as its super admin sees them in Lever's settings (the
 * API lists only the asking credential's, and ours were registered with the OAuth grant). */
async function webhooksInLever(request: APIRequestContext) {
  const answer = await request.get(`/lever-sandbox/_control/accounts/${GLOBEX}/webhooks`);
  expect(answer.status()).toBe(200);
  return (await answer.json()).data as { url: string; event: string; registeredBy: string }[];
}

/** A change a recruiter makes in Lever (as Sam Okafor, through Lever's API). */
async function inLever(request: APIRequestContext, path: string, body: object) {
  const users = await lever(request, "/users?limit=100");
  const sam = users.find((u: { name: string }) => u.name === "Sam Okafor");
  const answer = await request.put(`/lever-sandbox/v1${path}?perform_as=${sam.id}`, { headers: AUTH, data: body });
  expect(answer.status()).toBe(200);
}

test("Lever: Connect through Lever's authorisation page, map a role to a posting, an acceptance lands in Lever once, moves and archives flow both ways", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));
  await signIn(page, "hank@globex.test", "globex-master");
  await page.getByRole("link", { name: "Account settings" }).click();
  const card = page.locator("[data-ats='lever']");
  await expect(card.locator("h3")).toContainText("Not connected");
  await card.getByRole("link", { name: "Connect", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Connect Lever" })).toBeVisible();
  await shot(page, "59-lever-connect");
  // Each of Lever's own pages at a laptop's and a phone's width, with the accessibility check.
  await checkPage(page, "lever-connect", () => page.goto("/integrations/lever/connect").then(() => undefined));
  await page.setViewportSize({ width: 1280, height: 720 });

  // A wrong key is refused in words that say what to do; nothing is saved.
  await page.getByLabel("API key").fill("lvr_not_a_key");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Lever did not accept that API key")).toBeVisible();
  // Lever's authorisation page: a super admin accepts for Globex's Lever account.
  await page.getByRole("link", { name: "Continue to Lever" }).click();
  await expect(page.getByRole("heading", { name: "Authorize ats-bridge" })).toBeVisible();
  await expect(page.getByText("opportunities:write:admin")).toBeVisible();
  await page.getByRole("radio", { name: /Globex/ }).check();
  await page.getByRole("button", { name: "Accept" }).click();
  // Back here, the grant pre-checked; the user to act as is chosen (a super admin first); no
  // token reaches the page.
  await expect(page.getByText("Lever authorised ats-bridge.")).toBeVisible();
  const user = page.getByLabel("Lever user");
  await expect(user.locator("option:checked")).toContainText("super admin");
  const actAs = page.url();
  await checkPage(page, "lever-act-as", () => page.goto(actAs).then(() => undefined));
  await page.setViewportSize({ width: 1280, height: 720 });
  const html = await page.content();
  expect(html).not.toMatch(/lat_[0-9a-f]{16}/);
  expect(html).not.toMatch(/v1\.[0-9a-f]{16}/);
  await shot(page, "60-lever-act-as");
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.locator("[data-ats='lever'] h3")).toContainText("Connected");
  await expect(page.getByText("Lever is connected.")).toBeVisible();
  await expect(page.locator("[data-ats='lever']")).toContainText("OAuth");
  await expect(page.locator("[data-ats='lever']")).toContainText("jobs.lever.co/globex");
  await expect(page.locator("[data-ats='workable']")).toContainText("Lever is connected: a company connects one ATS.");
  await shot(page, "61-lever-connected");

  // The same wizard, over Lever's postings and the account's stages.
  await page.getByRole("link", { name: "Source", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const row = page.locator(`tr[data-role="${ROLE}"]`);
  await row.getByLabel(`ATS configuration of ${ROLE}`).click();
  await row.getByRole("link", { name: "Add ATS configuration" }).click();
  await page.getByRole("link", { name: /New configuration/ }).click();
  await expect(page.getByRole("radio", { name: /Support Lead/ })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Choose the Lever job" })).toBeVisible();
  await page.getByRole("radio", { name: new RegExp(POSTING) }).check();
  await page.getByRole("button", { name: "Continue to mapping" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("columnheader", { name: "Lever stage" })).toBeVisible();
  const mapping = page.url();
  await checkPage(page, "lever-mapping", () => page.goto(mapping).then(() => undefined));
  await page.setViewportSize({ width: 1280, height: 720 });
  // Outcomes archive with the account's reasons: the first that fits is proposed, any other may be
  // chosen; a hire is archived with a hired reason.
  await expect(page.getByLabel("Rejected").locator("option:checked")).toHaveText("Archive: Position filled");
  await expect(page.getByLabel("Withdrawn").locator("option:checked")).toHaveText("Archive: Withdrew");
  await expect(page.getByLabel("Hired").locator("option:checked")).toHaveText("Archive: Hired");
  await expect(page.getByLabel("Hired").locator("optgroup")).toHaveAttribute("label", "Archive in Lever, with the reason");
  await page.getByLabel("Rejected").selectOption({ label: "Archive: Under- qualified" });
  await page.getByLabel("Screening").selectOption({ label: "Recruiter screen" });
  await page.getByLabel("Final interview").selectOption({ label: "On-site interview" });
  await shot(page, "62-lever-mapping");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(row).toContainText(`Mapped to ${POSTING}`);

  // An acceptance: exported to Lever, once, with resume and profile.
  const { name, row: entry } = await acceptFreshCandidate(page, ROLE, "Lever");
  await expect(page.locator("table.pipeline th").nth(2)).toHaveText("Lever");
  await expect(entry.getByRole("link", { name: "Open in Lever" })).toBeVisible();
  await shot(page, "63-lever-exported");
  const email = ((await entry.locator("td.candidate").innerText()).split("\n").find((l) => l.includes("@")) ?? "").trim();
  const posting = (await lever(page.request, "/postings?limit=100")).find((p: { text: string }) => p.text === POSTING);
  const found = await lever(page.request, `/opportunities?email=${encodeURIComponent(email)}&posting_id=${posting.id}`);
  expect(found.length).toBe(1);
  expect(found[0].name).toBe(name);
  expect(found[0].sources.length).toBe(1);
  const resumes = await lever(page.request, `/opportunities/${found[0].id}/resumes`);
  expect(resumes.length).toBe(1);
  const files = await lever(page.request, `/opportunities/${found[0].id}/files`);
  // A file's name is on the file itself; a resume's under `file`.
  const profiles = files.filter((f: { name: string }) => f.name.startsWith(`Marketplace profile - ${name}`));
  expect(profiles.length).toBe(1);
  const opportunity = `/opportunities/${found[0].id}`;
  const stages = await lever(page.request, "/stages");
  const stageId = (text: string) => stages.find((st: { text: string }) => st.text === text).id;

  // Marketplace → Lever: Screening is mapped to Recruiter screen.
  await moveTo(page, entry, name, "Screening");
  await expect(async () => {
    expect((await lever(page.request, opportunity)).stage).toBe(stageId("Recruiter screen"));
  }).toPass({ timeout: 30_000 });
  // Lever → marketplace: a recruiter moves them to On-site interview (mapped from Final
  // interview); Lever's webhook brings it back.
  await inLever(page.request, `${opportunity}/stage`, { stage: stageId("On-site interview") });
  await expect(entry.locator("td.stage")).toContainText("Final interview", { timeout: 30_000 });
  await expect(entry).toContainText("by Lever");
  await shot(page, "64-lever-moved-in-lever");
  // Marketplace → Lever: rejected is archived with the reason chosen in the mapping.
  const reasons = await lever(page.request, "/archive_reasons?limit=100");
  const reasonId = (text: string) => reasons.find((r: { text: string }) => r.text === text).id;
  const withdrew = reasonId("Withdrew");
  await moveTo(page, entry, name, "Rejected");
  await expect(async () => {
    expect((await lever(page.request, opportunity)).archived?.reason).toBe(reasonId("Under- qualified"));
  }).toPass({ timeout: 30_000 });
  // Lever → marketplace: unarchived, then archived as withdrawn.
  await inLever(page.request, `${opportunity}/archived`, { reason: null });
  await expect(entry.locator("td.stage")).toContainText("Final interview", { timeout: 30_000 });
  await inLever(page.request, `${opportunity}/archived`, { reason: withdrew, cleanInterviews: false });
  await expect(entry.locator("td.stage")).toContainText("Withdrawn", { timeout: 30_000 });
  await entry.locator("td.export-cell").getByText("Ledger").click();
  await expect(entry.locator("td.export-cell")).toContainText("Archived in Lever");
  await expect(entry.locator("td.export-cell")).toContainText("Withdrawn in Lever");
  await shot(page, "65-lever-archived-in-lever");
  // Marketplace → Lever: hired is archived with the hired reason.
  await moveTo(page, entry, name, "Hired");
  await expect(async () => {
    expect((await lever(page.request, opportunity)).archived?.reason).toBe(reasonId("Hired"));
  }).toPass({ timeout: 30_000 });

  // Insights speaks Lever: the funnel's step, and the sources of one posting (a UUID in the
  // filter's address).
  await page.getByRole("link", { name: "Insights", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Marketplace funnel" })).toBeVisible();
  await expect(page.locator("[data-chart='funnel']")).toContainText("In Lever");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Lever job").selectOption({ label: POSTING });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(new RegExp(`job=${posting.id}`));
  await expect(page.getByLabel("Lever job")).toHaveValue(posting.id);
  await expect(page.locator("[data-as-of]")).toContainText(`the Lever job ${POSTING}`);
  await shot(page, "66-lever-insights");

  // The webhooks registered on the first mapping go with the connection.
  const ours = await webhooksInLever(page.request);
  expect(ours.length).toBe(4);
  expect(ours.every((w) => w.registeredBy === "oauth" && w.url.includes("/webhooks/lever/"))).toBe(true);
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.locator("[data-ats='lever']").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.locator("[data-ats='lever'] h3")).toContainText("Disconnected");
  await expect(page.locator("[data-ats='workable']").getByRole("link", { name: "Connect", exact: true })).toBeVisible();
  expect((await webhooksInLever(page.request)).length).toBe(0);
  expect(errors).toEqual([]);
});

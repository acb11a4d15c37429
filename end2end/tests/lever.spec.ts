import { type APIRequestContext, expect, test } from "@playwright/test";
import { acceptFreshCandidate, shot, signIn } from "./helpers";

// A second ATS: Globex connects Lever (the built-in Lever sandbox) with an API key, maps a role
// to a Lever posting with the same wizard, and a candidate accepted on the marketplace lands in
// Lever once, with the CV as the resume and the profile as a file — checked through Lever's API.

// Hank's browser is in New York, as in the time-zone walk (whichever signs him in first sets it).
test.use({ timezoneId: "America/New_York" });

const KEY = "lvr_globex_8a7b6c5d4e3f20110213243546576879";
const ROLE = "Platform Engineer";
const POSTING = "Senior Rust Engineer";

/** A Lever API read with Globex's key, as any tool of Globex's would make it. */
async function lever(request: APIRequestContext, path: string) {
  const answer = await request.get(`/lever-sandbox/v1${path}`, {
    headers: { Authorization: `Basic ${Buffer.from(`${KEY}:`).toString("base64")}` },
  });
  expect(answer.status()).toBe(200);
  return (await answer.json()).data;
}

test("Lever: Connect with an API key, map a role to a posting, an acceptance lands in Lever once", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));
  await signIn(page, "hank@globex.test", "globex-master");
  await page.getByRole("link", { name: "Account settings" }).click();
  const card = page.locator("[data-ats='lever']");
  await expect(card.locator("h3")).toContainText("Not connected");
  await card.getByRole("link", { name: "Connect", exact: true }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Connect Lever" })).toBeVisible();

  // A wrong key is refused in words that say what to do; nothing is saved.
  await page.getByLabel("API key").fill("lvr_not_a_key");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Lever did not accept that API key")).toBeVisible();
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Continue" }).click();
  // The key never comes back to the page; the user to act as is chosen (a super admin first).
  const user = page.getByLabel("Lever user");
  await expect(user).toBeVisible();
  await expect(user.locator("option:checked")).toContainText("super admin");
  expect(await page.content()).not.toContain(KEY);
  await shot(page, "60-lever-act-as");
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.locator("[data-ats='lever'] h3")).toContainText("Connected");
  await expect(page.getByText("Lever is connected.")).toBeVisible();
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
  await page.getByRole("radio", { name: new RegExp(POSTING) }).check();
  await page.getByRole("button", { name: "Continue to mapping" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
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
  expect(errors).toEqual([]);
});

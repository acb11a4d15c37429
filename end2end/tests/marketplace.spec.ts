import { expect, test, type Page } from "@playwright/test";
import { moveTo, shot, signIn } from "./helpers";

// Walks the marketplace side as a person does, with the words on the screen. Each step leaves a
// screenshot in end2end/screenshots/.


test.beforeEach(async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().includes("status of 4")) problems.push(msg.text());
  });
  (page as Page & { problems?: string[] }).problems = problems;
});

test.afterEach(async ({ page }) => {
  expect((page as Page & { problems?: string[] }).problems ?? []).toEqual([]);
});

test("a master signs in, opens a role's pipeline, accepts a request and moves a candidate", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByText("Demo mode")).toBeVisible();
  await shot(page, "01-sign-in");

  await signIn(page, "maria@northwind.test", "northwind-master");
  await expect(page.getByRole("link", { name: "Senior Rust Engineer" })).toBeVisible();
  await expect(page.locator("tr[data-role='DevOps Engineer']")).toContainText("Draft");
  // mapping.spec.ts maps the first roles; the manager's role stays unmapped whatever runs first.
  await expect(page.locator("tr[data-role='Engineering Manager']")).toContainText("Not mapped");
  await shot(page, "02-source");

  // Client-side navigation: the hydrated router handles the click.
  await page.getByRole("link", { name: "Senior Rust Engineer" }).click();
  await expect(page.getByRole("heading", { name: /Senior Rust Engineer/ })).toBeVisible();
  await shot(page, "03-pipeline");

  // A pending request: accept it on the candidate's behalf (demo mode).
  const accept = page.getByRole("button", { name: /^Accept on the candidate's behalf: / }).first();
  const label = (await accept.getAttribute("aria-label")) ?? "";
  const name = label.replace("Accept on the candidate's behalf: ", "");
  await accept.click();
  const row = page.locator(`table.pipeline tr[data-candidate='${name}']`);
  await expect(row).toBeVisible();
  await expect(row.locator("td.stage .badge")).toHaveText("Request accepted");
  await shot(page, "04-accepted");

  // One dialog for the whole table, not a form per row: opened by the row's link, it takes the
  // keyboard, Escape closes it.
  await expect(page.locator("table.pipeline select[name=stage]")).toHaveCount(0);
  await row.getByRole("link", { name: `Move ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Move ${name}` });
  await expect(dialog.getByLabel(`Stage for ${name}`)).toBeFocused();
  await shot(page, "04b-move-dialog");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // Move them on; the page updates without a reload (WASM + server function).
  await moveTo(page, row, name, "Screening");
  await expect(row.locator("td.stage .badge")).toHaveText("Screening");
  await expect(row).toContainText("by Maria Keller");
  await shot(page, "05-moved");

  // The move survives a reload: it was stored, not just drawn.
  await page.reload();
  await expect(page.locator(`table.pipeline tr[data-candidate='${name}'] td.stage .badge`)).toHaveText("Screening");

  // The pipeline shows one stage when asked; the choice is a link.
  await page.getByLabel("Show stage").selectOption({ label: "Screening" });
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/stage=screening/);
  await expect(page.locator("table.pipeline td.stage .badge").first()).toHaveText("Screening");
  for (const badge of await page.locator("table.pipeline td.stage .badge").allTextContents()) expect(badge).toBe("Screening");
  await page.getByLabel("Show stage").selectOption({ label: "All stages" });
  await page.getByRole("button", { name: "Show", exact: true }).click();

  // Send request searches the marketplace on the server and offers the first matches.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Find a candidate").fill("kubernetes");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/find=kubernetes/);
  await expect(page.getByText(/candidates? match(es)? “kubernetes”/)).toBeVisible();
  const offered = page.locator('select[name="candidate_id"] option');
  await expect(offered.first()).toContainText("Kubernetes");
  for (const text of await offered.allTextContents()) expect(text).toMatch(/kubernetes/i);
  await page.getByLabel("Find a candidate").fill("nobody-by-this-name");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No candidate without a request matches “nobody-by-this-name”.")).toBeVisible();
  await shot(page, "08-candidate-search");
});

test("a member sees the ATS integrations without Connect and is sent to their Customer Success Manager", async ({ page }) => {
  await signIn(page, "tom@northwind.test", "northwind-member");
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.getByRole("heading", { name: "ATS integrations" })).toBeVisible();
  await expect(page.getByText("contact your Customer Success Manager")).toBeVisible();
  await expect(page.getByRole("link", { name: "Connect", exact: true })).toHaveCount(0);
  await shot(page, "06-account-settings-member");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/source");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a wrong password is refused in plain words and a new role can be created and published", async ({ page }) => {
  await page.goto("/sign-in");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Email").fill("maria@northwind.test");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is not right.");
  // Nothing typed is lost, and the address stays the page's.
  await expect(page.getByLabel("Email")).toHaveValue("maria@northwind.test");
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, "maria@northwind.test", "northwind-master");
  // Source, shown in place after signing in, starts the keyboard at its heading as a page load would.
  await expect(page.getByRole("heading", { name: "Source" })).toBeFocused();
  const title = `Platform Engineer ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Location").fill("Munich, Germany");
  await page.getByRole("button", { name: "Create role" }).click();
  const row = page.locator(`tr[data-role='${title}']`);
  await expect(row).toContainText("Draft");
  await row.getByRole("button", { name: `Publish ${title}` }).click();
  await expect(row).toContainText("Live");
  // The button pressed is gone: the keyboard is in the prompt the page now shows, not at its top.
  await expect(page.getByRole("dialog", { name: `${title} is live` })).toBeFocused();
  await shot(page, "07-published");
  // Source was shown in place after signing in, as a new history entry: Back is the sign-in page.
  await page.goBack();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("without JavaScript, signing in, creating a role and publishing it work as plain forms", async ({ browser }) => {
  // The pages are rendered by the server and their forms post to the server functions, which
  // answer with a redirect: the island only makes this smoother.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("maria@northwind.test");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is not right.");
  await page.getByLabel("Email").fill("maria@northwind.test");
  await page.getByLabel("Password").fill("northwind-master");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Source" })).toBeVisible();

  const title = `No Script Engineer ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Location").fill("Lisbon, Portugal");
  await page.getByLabel("Publish now").check();
  await page.getByRole("button", { name: "Create role" }).click();
  // Live at once: the page offers its ATS configuration.
  const prompt = page.getByRole("dialog", { name: `${title} is live` });
  await expect(prompt).toBeVisible();
  await expect(page.locator(`tr[data-role='${title}']`)).toContainText("Live");
  await prompt.getByRole("link", { name: "Skip for now" }).click();
  await expect(prompt).toBeHidden();
  await expect(page.locator(`tr[data-role='${title}']`)).toContainText("Not mapped");
  await context.close();
});

// Page load in Debian's Chromium, for the pages bench (server/benches/pages.rs), which starts the
// server with its 1,000 roles and 1,000 requests and runs this script against it:
//
//   node end2end/bench/load-times.mjs <base url> <email> <password> <path>…
//
// Signs in once, then loads each path LOADS times, each in a fresh browser context that has only
// the session cookie (an empty cache: the bundle is fetched each time, as on a first visit), and
// reads the load event and the moment the page was hydrated (`<body data-hydrated>`, set by the
// page's island once it runs) from the page's own clock, both counted from the navigation's start. Then it
// keeps the last path open, idle, for IDLE_SECONDS and counts the requests the page makes.
// Prints one JSON object per path, and one for the idle page.
import { chromium } from "playwright-core";
import { launchOptions } from "../chromium.mjs";

const LOADS = 10;
const IDLE_SECONDS = 60;
const [base, email, password, ...paths] = process.argv.slice(2);
if (!base || !password || paths.length === 0) {
  console.error("usage: load-times.mjs <base url> <email> <password> <path>…");
  process.exit(2);
}

const browser = await chromium.launch(launchOptions);

// Records, from the page's first script on, when the body is marked hydrated.
const watchHydration = () => {
  new MutationObserver((_, observer) => {
    if (document.body?.hasAttribute("data-hydrated")) {
      window.__hydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
};

const signIn = await browser.newContext({ baseURL: base });
const page = await signIn.newPage();
await page.goto("/sign-in");
await page.waitForSelector("body[data-hydrated]");
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL("**/source");
const session = await signIn.storageState();
await signIn.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const worst = (xs) => Math.max(...xs);

for (const path of paths) {
  const loads = [];
  const hydrated = [];
  for (let n = 0; n < LOADS; n++) {
    const context = await browser.newContext({ baseURL: base, storageState: session });
    const page = await context.newPage();
    await page.addInitScript(watchHydration);
    await page.goto(path, { waitUntil: "load" });
    await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 60_000 });
    const [load, hydration] = await page.evaluate(() => [
      performance.getEntriesByType("navigation")[0].loadEventEnd,
      window.__hydratedAt,
    ]);
    loads.push(load);
    hydrated.push(hydration);
    await context.close();
  }
  console.log(
    JSON.stringify({
      path,
      loads: LOADS,
      load_p50_ms: median(loads),
      load_max_ms: worst(loads),
      hydrated_p50_ms: median(hydrated),
      hydrated_max_ms: worst(hydrated),
    }),
  );
}

// The last page, open and idle: what it asks the server while nothing changes.
const idle = await browser.newContext({ baseURL: base, storageState: session });
const open = await idle.newPage();
await open.goto(paths[paths.length - 1], { waitUntil: "load" });
await open.waitForSelector("body[data-hydrated]");
await open.waitForTimeout(2_000);
let requests = 0;
open.on("request", () => requests++);
await open.waitForTimeout(IDLE_SECONDS * 1000);
console.log(JSON.stringify({ path: paths[paths.length - 1], idle_seconds: IDLE_SECONDS, idle_requests: requests }));
await browser.close();

import { expect, test, type Response } from "@playwright/test";

// The WASM bundle as Chromium gets it: named by its content, brotli-compressed at build time, kept
// for a year, so a second page loads it from the browser's cache without asking the server.

const BUNDLE = /\/pkg\/ats-bridge\.[0-9a-f]{16}\.(js|wasm|css)$/;

test("the bundle arrives brotli-compressed, named by its content, and comes from the cache on the next page", async ({
  page,
}) => {
  const bundle: Response[] = [];
  page.on("response", (response) => {
    if (BUNDLE.test(new URL(response.url()).pathname)) bundle.push(response);
  });
  await page.goto("/sign-in");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

  const kinds = bundle.map((r) => new URL(r.url()).pathname.split(".").pop()).sort();
  expect(new Set(kinds)).toEqual(new Set(["css", "js", "wasm"]));
  for (const response of bundle) {
    const headers = await response.allHeaders();
    expect(headers["content-encoding"], response.url()).toBe("br");
    expect(headers["cache-control"], response.url()).toBe("public, max-age=31536000, immutable");
  }
  const wasm = bundle.find((r) => r.url().endsWith(".wasm"))!;
  const sent = (await wasm.request().sizes()).responseBodySize;
  console.log(`WASM as sent to Chromium (brotli): ${sent} B`);
  // The pages are islands: the bundle holds the one island, not the pages (issue 13: ≤ 250 KB).
  expect(sent).toBeLessThanOrEqual(250_000);

  // The next page: the bundle is the cached one (nothing transferred), and the page still hydrates.
  await page.goto("/sign-in?again");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const transferred = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((e) => e as PerformanceResourceTiming)
      .filter((e) => /\/pkg\//.test(e.name))
      .map((e) => [new URL(e.name).pathname, e.transferSize] as const),
  );
  expect(transferred.length).toBeGreaterThanOrEqual(3);
  for (const [path, size] of transferred) expect(size, `${path} fetched again`).toBe(0);
});

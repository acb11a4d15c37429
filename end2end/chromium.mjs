// How Debian's Chromium is launched here, for the walks (playwright.config.ts) and the pages
// bench's load timings (bench/load-times.mjs) alike. Never `npx playwright install`: this machine
// has no route to its CDN; without the background-networking flags Chromium's own connections
// are refused by the closed network.
export const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

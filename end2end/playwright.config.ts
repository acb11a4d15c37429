import { defineConfig } from "@playwright/test";
import { launchOptions } from "./chromium.mjs";

// Debian's Chromium (never `npx playwright install`: this machine has no route to its CDN).
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: "list",
  globalSetup: "./wait-for-server.ts",
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    headless: true,
    launchOptions,
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});

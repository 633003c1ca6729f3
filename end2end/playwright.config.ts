import { defineConfig } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// One server per run: a fresh SQLite file, staff created with the real CLI, a random password.
process.env.E2E_PASSWORD ??= `e2e-${randomBytes(18).toString("base64url")}`;
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "inkwarden-e2e-"));
const port = process.env.PORT ?? "3117";

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "off",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "./serve.sh",
    url: `http://127.0.0.1:${port}/admin/login`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { PORT: port },
  },
});

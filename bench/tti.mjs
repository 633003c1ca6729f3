// Time to interactive of a staff page in headless Chromium: from navigation start to the first
// moment the page's controls respond. Uses end2end's Playwright and the system Chromium.
//
//   node bench/tti.mjs BASE_URL SESSION_COOKIE [RUNS]     (SESSION_COOKIE is name=value)
//
// The probe, injected before any of the page's scripts: every 5 ms it clicks the posts list's
// "select all" checkbox and, one task later, looks whether the first row's checkbox changed.
// Before hydration it does not (the click is undone and retried); the first time it does, the page
// answers its controls, and that moment (performance.now(), whose origin is the navigation start)
// is the figure. Each run is a fresh browser context: nothing cached, the first visit of a page.
import { createRequire } from "node:module";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const [base, cookie, runsArg] = process.argv.slice(2);
if (!base || !cookie || !cookie.includes("=")) {
  console.error("usage: node bench/tti.mjs BASE_URL SESSION_COOKIE [RUNS]");
  process.exit(2);
}
const runs = Number(runsArg ?? 7);
const [name, value] = [cookie.slice(0, cookie.indexOf("=")), cookie.slice(cookie.indexOf("=") + 1)];
const page = "/admin/posts?per_page=50";

const probe = () => {
  const all = 'input[aria-label="Select all posts on this page"]';
  const row = 'input[name="ids[]"]';
  const tick = () => {
    const head = document.querySelector(all);
    const first = document.querySelector(row);
    if (!head || !first) return setTimeout(tick, 5);
    const before = first.checked;
    head.click();
    setTimeout(() => {
      // The row followed the header (either way: a click that lands during hydration can
      // leave the header ticked, so the next click unticks all).
      const answered = first.checked !== before;
      head.click();
      if (answered) window.__interactive = performance.now();
      else setTimeout(tick, 5);
    }, 0);
  };
  tick();
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const figures = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    await context.addCookies([{ name, value, url: base }]);
    const tab = await context.newPage();
    await tab.addInitScript(probe);
    const response = await tab.goto(base + page, { waitUntil: "commit" });
    if (!response || response.status() !== 200) throw new Error(`${page} answered ${response?.status()}`);
    // Polled with evaluate: waitForFunction's polling compiles code in the page, which the
    // dashboard's Content-Security-Policy (rightly) refuses.
    const until = Date.now() + 20_000;
    while ((await tab.evaluate(() => window.__interactive)) === undefined) {
      if (Date.now() > until) throw new Error(`${page} did not answer its controls within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const t = await tab.evaluate(() => ({
      interactive: window.__interactive,
      loaded: performance.getEntriesByType("navigation")[0].loadEventEnd,
    }));
    figures.push(t);
    await context.close();
  }
} finally {
  await browser.close();
}
const median = (key) => {
  const v = figures.map((f) => f[key]).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
};
console.log(
  `posts list time to interactive (headless Chromium, fresh context, median of ${runs}): ` +
    `${median("interactive").toFixed(0)} ms (load event ${median("loaded").toFixed(0)} ms; ` +
    `runs ${figures.map((f) => f.interactive.toFixed(0)).join(", ")} ms)`,
);

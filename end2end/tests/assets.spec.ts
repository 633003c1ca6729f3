import { test, expect, hydrated } from "./support";

// The client's script, module and stylesheet: content-named, compressed, cached for good.
test("a staff page loads its script, module and stylesheet compressed and content-named, cached for good", async ({
  page,
}) => {
  const assets: { url: string; headers: Record<string, string> }[] = [];
  page.on("response", (res) => {
    if (new URL(res.url()).pathname.startsWith("/pkg/")) assets.push({ url: res.url(), headers: res.headers() });
  });
  await page.goto("/admin/login");
  await hydrated(page);
  const kinds = assets.map((a) => new URL(a.url).pathname.replace(/^\/pkg\/inkwarden-[0-9a-f]{16}/, "")).sort();
  expect(kinds).toEqual([".css", ".js", "_bg.wasm"]);
  for (const { url, headers } of assets) {
    // Chromium offers brotli only over HTTPS; over this test's plain HTTP it takes gzip.
    expect(["br", "gzip"], url).toContain(headers["content-encoding"]);
    expect(headers["vary"], url).toMatch(/accept-encoding/i);
    expect(headers["cache-control"], url).toBe("public, max-age=31536000, immutable");
  }
});

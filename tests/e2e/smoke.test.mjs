// Smoke test: the release bundle loads, builds the default example and draws the
// seed's layer stack with no console errors and no foreign requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, screenshot } from './harness.mjs';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('default example renders its layer stack', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  const rows = page.locator('.layer-stack .layer-row');
  await rows.first().waitFor({ timeout: 15000 });
  const texts = await rows.allInnerTexts();
  assert.ok(texts.length >= 6, `expected at least 6 rows, got ${texts.length}`);
  const joined = texts.join('\n');
  for (const instr of ['FROM node:lts-alpine', 'WORKDIR /app', 'RUN npm ci --omit=dev', 'COPY . .', 'CMD ["node", "server.js"]']) {
    assert.ok(joined.includes(instr), `layer stack lacks ${instr}:\n${joined}`);
  }
  // filesystem rows and metadata rows are drawn differently
  assert.ok(await page.locator('.layer-row.fs').count() >= 3);
  assert.ok(await page.locator('.layer-row.meta').count() >= 1);
  await screenshot(page, 'smoke-default');
  // A strict Content-Security-Policy: no inline scripts or styles allowed.
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(await page.locator('script:not([src])').count(), 0);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.foreignRequests, []);
  await context.close();
});

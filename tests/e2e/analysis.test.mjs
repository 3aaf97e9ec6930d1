// Efficiency (wasted space), size by layer, config, "what would rebuild?", and an
// accessibility check with axe-core (no serious or critical violations).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage, screenshot, ready } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('wasted space is counted and what-would-rebuild names the changed file', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await page.locator('#dockerfile').fill('FROM alpine:3.20\nRUN apk add --no-cache curl\nRUN seq 1 20000 > /big\nRUN rm /big\nCOPY server.js /app/\n');
  await page.locator('#build-button').click();
  await page.locator('.layer-row', { hasText: 'RUN rm /big' }).waitFor();
  const eff = await page.locator('.efficiency summary').innerText();
  assert.match(eff, /Efficiency \d+\.\d% · wasted [\d.]+kB of [\d.]+MB/);
  const bigRow = page.locator('.wasted li', { hasText: '/big' });
  assert.match(await bigRow.innerText(), /1 version · 108\.9kB/);
  await page.getByRole('tab', { name: 'server.js' }).click();
  await page.locator('textarea.context-file').fill('console.log("changed");\n');
  await page.getByRole('button', { name: 'What would rebuild?' }).click();
  const runs = await page.locator('.forecast li.would-run').allInnerTexts();
  assert.equal(runs.length, 1, runs.join('\n'));
  assert.match(runs[0], /COPY server\.js \/app\/.*source files changed: server\.js/);
  assert.ok(await page.locator('.forecast li:not(.would-run)', { hasText: 'CACHED' }).count() >= 3);
  await screenshot(page, 'analysis');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('no serious or critical accessibility violations (axe-core)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  await page.goto(server.url);
  await ready(page);
  await page.addScriptTag({ path: path.join(root, 'node_modules/axe-core/axe.min.js') });
  const results = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), []);
  await ctx.close();
});

test('usable at 1024 wide', async () => {
  const { page, context } = await openPage(browser, server.url, { width: 1024, height: 768 });
  await ready(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
  await screenshot(page, 'width-1024');
  await context.close();
});

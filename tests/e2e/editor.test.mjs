// The Dockerfile editor: build-check warnings and errors appear at their lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, screenshot } from './harness.mjs';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function setDockerfile(page, text) {
  await page.locator('#dockerfile').fill(text);
}

test('build checks show rule, line and why it matters', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await page.locator('.layer-stack .layer-row').first().waitFor();
  await setDockerfile(page, 'FROM node:lts-alpine\nWORKDIR /app\nCOPY . .\nCMD node server.js\n');
  const item = page.locator('.lint-item').first();
  await item.waitFor();
  const text = await item.innerText();
  assert.match(text, /line 4/);
  assert.match(text, /JSONArgsRecommended/);
  assert.match(text, /PID 1|SIGTERM/);
  assert.equal(await page.locator('.gutter .line-no.warn').count(), 1);
  await screenshot(page, 'editor-lint');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('a parse error is reported at its line after building', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await page.locator('.layer-stack .layer-row').first().waitFor();
  await setDockerfile(page, 'FROM scratch\nCOPY . .\nFOO bar\n');
  await page.locator('#build-button').click();
  const diag = page.locator('.diagnostic');
  await diag.waitFor();
  assert.match(await diag.innerText(), /line 3: .*unknown instruction: FOO/);
  assert.equal(await page.locator('.gutter .line-no.err').innerText(), '3');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

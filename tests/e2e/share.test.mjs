// Sharing, persistence, embedding, the postMessage API, hostile input and broken
// links: the app never shows a blank page and never runs user text as markup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, screenshot, ready, type } from './harness.mjs';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('a share link round-trips into a fresh browser profile', async () => {
  const a = await openPage(browser, server.url);
  await ready(a.page, '.layer-stack .layer-row');
  await a.page.locator('#dockerfile').fill('FROM alpine:3.20\nRUN echo shared > /shared.txt\nCMD ["cat", "/shared.txt"]\n');
  await a.page.locator('#build-button').click();
  await a.page.locator('.layer-row', { hasText: 'RUN echo shared' }).waitFor();
  await type(a.page, 'docker run --name shared-1 my-api:1.0');
  await a.page.getByRole('button', { name: 'Share' }).click();
  const link = await a.page.locator('#share-link').inputValue();
  assert.match(link, /#\/s\/v1\./);
  assert.match(await a.page.locator('#share-iframe').inputValue(), /^<iframe src="[^"]*#\/embed\?/);
  await a.context.close();

  const b = await openPage(browser, link); // a new context is a fresh profile
  await b.page.locator('.layer-row', { hasText: 'RUN echo shared' }).waitFor();
  await b.page.locator('.container-card', { hasText: 'shared-1' }).waitFor();
  assert.match(await b.page.locator('.term-screen').innerText(), /shared/);
  assert.deepEqual(b.problems.pageErrors, []);
  await b.context.close();
});

test('reload keeps the work (browser storage)', async () => {
  const { page, context } = await openPage(browser, server.url);
  await ready(page, '.layer-stack .layer-row');
  await page.locator('#dockerfile').fill('FROM busybox\nRUN echo kept > /kept\n');
  await page.locator('#build-button').click();
  await page.locator('.layer-row', { hasText: 'RUN echo kept' }).waitFor();
  await page.reload();
  await page.locator('.layer-row', { hasText: 'RUN echo kept' }).waitFor();
  assert.equal(await page.locator('#dockerfile').inputValue(), 'FROM busybox\nRUN echo kept > /kept\n');
  await context.close();
});

test('a corrupted link and corrupted storage give a message and a clean start', async () => {
  const { page, problems, context } = await openPage(browser, server.url + '#/s/v1.!!!not-base64!!!');
  await page.locator('.banner').waitFor();
  assert.match(await page.locator('.banner').innerText(), /could not be opened/);
  await ready(page, '.layer-stack .layer-row');
  await page.evaluate(() => localStorage.setItem('layerlab:state:v1', '{"version":1,"dockerfile":5}'));
  await page.goto(server.url);
  await page.locator('.banner').waitFor();
  assert.match(await page.locator('.banner').innerText(), /could not be restored/);
  await ready(page, '.layer-stack .layer-row');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('user text with <script> and <img onerror> stays inert text', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page, '.layer-stack .layer-row');
  await page.evaluate(() => { window.__pwned = 0; });
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await page.locator('#dockerfile').fill(`FROM scratch\nLABEL note="${evil}"\nCOPY evil.html /\n`);
  await page.locator('.file-add input').fill('evil.html');
  await page.locator('.file-add button').click();
  await page.locator('textarea.context-file').fill(evil);
  await page.locator('#build-button').click();
  await page.locator('.layer-row', { hasText: 'COPY evil.html' }).waitFor();
  await type(page, `docker run --name x ${'my-api:1.0'} ${evil}`);
  await page.locator('.layer-row', { hasText: 'COPY evil.html' }).click();
  await page.locator('.layer-detail button.tree-file', { hasText: 'evil.html' }).click();
  await page.locator('.preview pre').waitFor();
  assert.equal(await page.locator('.preview pre').innerText(), evil);
  assert.equal(await page.evaluate(() => window.__pwned), 0);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('embed mode shows only the chosen panels and obeys postMessage', async () => {
  const { page, problems, context } = await openPage(browser, server.url + '#/embed?panels=stack,terminal');
  await ready(page, '.layer-stack .layer-row');
  assert.equal(await page.locator('.topbar').count(), 0);
  assert.equal(await page.locator('.editor-panel').count(), 0);
  assert.equal(await page.locator('.terminal-panel').count(), 1);
  // A host page drives the embed: run a command and receive its output.
  const reply = await page.evaluate(() => new Promise((resolve) => {
    window.addEventListener('message', (e) => { if (e.data && e.data.type === 'layerlab:output') resolve(e.data); });
    window.postMessage({ type: 'layerlab:run', command: 'docker images' }, '*');
  }));
  assert.equal(reply.command, 'docker images');
  assert.equal(reply.exitCode, 0);
  assert.match(reply.stdout, /REPOSITORY\s+TAG\s+IMAGE ID/);
  assert.match(reply.stdout, /my-api/);
  await screenshot(page, 'embed');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.foreignRequests, []);
  await context.close();
});

test('presenter mode: large type, arrow keys step through the stack; dark theme', async () => {
  const { page, context } = await openPage(browser, server.url);
  await ready(page, '.layer-stack .layer-row');
  await page.getByRole('button', { name: 'Present' }).click();
  await page.keyboard.press('Home');
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 1);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 2);
  await page.keyboard.press('End');
  assert.ok(await page.locator('.layer-stack .layer-row').count() >= 6);
  await page.getByRole('button', { name: 'Toggle dark theme' }).click();
  await page.locator('.app.theme-dark').waitFor();
  await screenshot(page, 'presenter-dark');
  // The larger type keeps the line numbers beside their lines.
  const heights = await page.evaluate(() => [
    getComputedStyle(document.querySelector('.editor-panel .gutter')).lineHeight,
    getComputedStyle(document.querySelector('.editor-panel .code-area > textarea')).lineHeight,
  ]);
  assert.equal(heights[0], heights[1]);
  await context.close();
});

test('an embedding page receives events for the commands a learner types', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  // The host page must not be the app's own URL (browsers refuse a frame whose URL,
  // without fragment, is an ancestor's) nor a public one (Chromium blocks a public page
  // from framing loopback): a page of its own on the same server. Leave the app only
  // once it has loaded, so no half-done fetch is aborted.
  await ready(page, '.layer-stack .layer-row');
  await page.goto(`${server.url}embedding-host`);
  await page.setContent(`<iframe id="f" src="${server.url}#/embed?panels=stack,terminal" width="1000" height="600"></iframe>`);
  await page.evaluate(() => { window.__events = []; window.addEventListener('message', (e) => { if (e.data && e.data.type === 'layerlab:event') window.__events.push(e.data); }); });
  const frame = page.frameLocator('#f');
  await frame.locator('.layer-stack .layer-row').first().waitFor({ timeout: 15000 });
  await frame.locator('#terminal-input').fill('docker images');
  await frame.locator('#terminal-input').press('Enter');
  await page.waitForFunction(() => window.__events.some((e) => e.command === 'docker images'));
  const ev = await page.evaluate(() => window.__events.find((e) => e.command === 'docker images'));
  assert.equal(ev.exitCode, 0);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

// Issue 7 views: the image's whole (cumulative) filesystem, docker diff as a tree,
// build step mode, and the animated tag move / pin highlights.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, screenshot, ready, type } from './harness.mjs';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const treeRow = (page, scope, path) => page.locator(`${scope} .tree-row[data-path="${path}"]`);

test('whole filesystem: /app/server.js is tagged with the COPY . . line', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await page.getByRole('button', { name: 'Whole filesystem' }).click();
  const tree = page.locator('.fs-view .file-tree');
  await tree.waitFor();
  // Directories start collapsed: only the top level is drawn.
  assert.equal(await treeRow(page, '.fs-view', '/app/server.js').count(), 0);
  assert.ok(await treeRow(page, '.fs-view', '/usr').count() === 1);
  assert.equal(await treeRow(page, '.fs-view', '/usr/local').count(), 0);
  await page.getByRole('button', { name: 'expand /app' }).click();
  const serverJs = treeRow(page, '.fs-view', '/app/server.js');
  await serverJs.waitFor();
  const writer = serverJs.locator('.tree-writer');
  assert.equal(await writer.innerText(), 'line 5: COPY . .');
  // The npm ci layer wrote node_modules.
  assert.match(await treeRow(page, '.fs-view', '/app/node_modules').locator('.tree-writer').innerText(), /line 4: RUN npm ci/);
  // Base image files name the FROM line.
  assert.match(await treeRow(page, '.fs-view', '/usr').locator('.tree-writer').innerText(), /line 1: FROM node:lts-alpine/);
  // A big directory is capped with "… N more".
  await page.getByRole('button', { name: 'expand /usr' }).click();
  await page.getByRole('button', { name: 'expand /usr/lib' }).click().catch(() => {});
  // File contents are viewable.
  await serverJs.locator('.tree-file').click();
  await page.locator('.fs-view .preview pre').waitFor();
  assert.match(await page.locator('.fs-view .preview').innerText(), /\/app\/server\.js/);
  await screenshot(page, 'views-cumulative');
  // The writer tag opens that layer's own changes.
  await writer.click();
  await page.locator('.layer-detail').waitFor();
  assert.match(await page.locator('.layer-detail header').innerText(), /COPY \. \./);
  assert.equal(await page.getByRole('button', { name: "This layer's changes" }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

test('a big base image: directories are capped with "… N more"', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await page.locator('#dockerfile').fill('FROM debian:bookworm-slim\nRUN echo hi > /hello\n');
  await page.locator('#build-button').click();
  await page.locator('.layer-row', { hasText: 'RUN echo hi' }).waitFor();
  await page.getByRole('button', { name: 'Whole filesystem' }).click();
  await page.locator('.fs-view .file-tree').waitFor();
  assert.match(await treeRow(page, '.fs-view', '/hello').locator('.tree-writer').innerText(), /line 2: RUN echo hi/);
  // Open directories until one has more children than are drawn.
  const dirs = ['/usr', '/usr/share', '/usr/share/doc', '/usr/lib', '/usr/bin', '/var', '/var/lib', '/etc'];
  for (const d of dirs) {
    const b = page.getByRole('button', { name: `expand ${d}`, exact: true });
    if (await b.count()) await b.click();
  }
  const rows = await page.locator('.fs-view .tree-row').count();
  assert.ok(rows <= 3001, `drawn rows ${rows}`);
  const more = page.locator('.fs-view .tree-more');
  assert.ok(await more.count() >= 1, 'some directory is capped');
  assert.match(await more.first().innerText(), /^… \d+ more$/);
  await screenshot(page, 'views-cumulative-big');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('docker diff as a tree: /app (C) → app.log (A) after an exec', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await type(page, 'docker run -d --name api-1 -p 8080:3000 my-api:1.0');
  const card = page.locator('.container-card', { hasText: 'api-1' });
  await card.waitFor();
  await type(page, 'docker exec api-1 sh -c "echo hello > /app/app.log && rm /app/package.json"');
  const log = treeRow(page, '.container-card .diff', '/app/app.log');
  await log.waitFor();
  const app = treeRow(page, '.container-card .diff', '/app');
  assert.ok(await app.evaluate((el) => el.classList.contains('changed') && el.classList.contains('dir')));
  assert.match(await app.locator('.tree-mark').innerText(), /^C/);
  assert.match(await app.innerText(), /app\//);
  assert.ok(await log.evaluate((el) => el.classList.contains('added')));
  assert.match(await log.locator('.tree-mark').innerText(), /^A \+/);
  // app.log is drawn below /app, one level deeper.
  const order = await page.locator('.container-card .diff .tree-row').evaluateAll((els) => els.map((e) => [e.dataset.path, e.className]));
  const iApp = order.findIndex(([p]) => p === '/app');
  const iLog = order.findIndex(([p]) => p === '/app/app.log');
  assert.ok(iApp >= 0 && iLog > iApp, JSON.stringify(order));
  assert.match(order[iApp][1], /\bd1\b/);
  assert.match(order[iLog][1], /\bd2\b/);
  const gone = treeRow(page, '.container-card .diff', '/app/package.json');
  assert.ok(await gone.evaluate((el) => el.classList.contains('deleted')));
  assert.match(await gone.locator('.tree-mark').innerText(), /^D/);
  // Collapsing /app hides its children.
  await page.getByRole('button', { name: 'collapse /app' }).click();
  assert.equal(await log.count(), 0);
  await page.getByRole('button', { name: 'expand /app' }).click();
  await log.waitFor();
  await page.waitForTimeout(500);
  await screenshot(page, 'views-diff-tree');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('step mode reveals the stack one row per keypress or click, with that step\'s log', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  const total = await page.locator('.layer-stack .layer-row').count();
  assert.ok(total >= 6);
  await page.locator('#step-toggle').click();
  assert.equal(await page.locator('#step-toggle').getAttribute('aria-pressed'), 'true');
  await page.locator('#build-button').click();
  await page.locator('.step-bar').waitFor();
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 0);
  await page.locator('#next-step').click();
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 1);
  assert.match(await page.locator('.step-log').innerText(), /Step 1: FROM node:lts-alpine/);
  // Keys step too (focus outside any text field).
  await page.locator('.tagline').click({ force: true }).catch(() => {});
  await page.locator('body').click({ position: { x: 5, y: 790 } });
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 2);
  assert.match(await page.locator('.step-log').innerText(), /Step 2: WORKDIR \/app/);
  await page.keyboard.press('Space');
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 3);
  await page.keyboard.press('Space');
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 4);
  const log = await page.locator('.step-log pre').innerText();
  assert.match(log, /^#\d+ \[4\/5\] RUN npm ci --omit=dev$/m);
  assert.match(log, /CACHED|DONE/);
  assert.doesNotMatch(log, /COPY \. \./);
  // Each revealed row slides in (unless reduced motion is asked for).
  // Only the row just revealed slides in.
  assert.ok(await page.locator('.layer-stack .layer-row').first().evaluate((el) => el.classList.contains('fresh')));
  assert.equal(await page.locator('.layer-stack .layer-row.fresh').count(), 1);
  assert.match(await page.locator('.layer-stack .layer-row').first().innerText(), /RUN npm ci/);
  // Typing in the terminal does not step.
  await page.locator('#terminal-input').fill('docker images');
  await page.locator('#terminal-input').press('Space');
  assert.equal(await page.locator('.layer-stack .layer-row').count(), 4);
  await page.locator('#terminal-input').fill('');
  await page.locator('#next-step').click();
  await page.locator('#next-step').click();
  assert.match(await page.locator('.step-log').innerText(), /Step 6: CMD/);
  assert.match(await page.locator('.step-log').innerText(), /no build step: recorded in the image config/);
  await page.waitForTimeout(500);
  await screenshot(page, 'views-step-mode');
  while (await page.locator('#next-step').isEnabled()) await page.locator('#next-step').click();
  assert.equal(await page.locator('.layer-stack .layer-row').count(), total);
  // Off: everything at once.
  await page.locator('#step-toggle').click();
  await page.locator('#build-button').click();
  await page.locator('.layer-row', { hasText: 'CMD' }).waitFor();
  assert.equal(await page.locator('.layer-stack .layer-row').count(), total);
  assert.equal(await page.locator('.step-bar').count(), 0);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('tag moves and pins are highlighted; reduced motion keeps the highlight without animation', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await type(page, 'docker pull nginx');
  await page.locator('.tags-view .ref', { hasText: 'nginx:latest' }).waitFor();
  // The digest a pull reports (docker images --digests), as the lesson pins it.
  const pinText = await page.locator('.tags-view .image-card', { hasText: 'nginx:latest' }).locator('.pin code').innerText();
  const digest = pinText.slice(pinText.indexOf('@') + 1);
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await page.locator('.tags-view .pin.pinned').count(), 0, 'a pull by tag pins nothing');
  await type(page, `docker pull nginx@${digest}`);
  const pin = page.locator('.tags-view .pin.pinned');
  await pin.waitFor();
  assert.match(await pin.innerText(), new RegExp(`nginx@${digest}`));
  await type(page, '!someone-pushes nginx');
  await type(page, 'docker pull nginx');
  const moved = page.locator('.tags-view .ref.moved', { hasText: 'nginx:latest' });
  await moved.waitFor();
  assert.match(await moved.innerText(), /moved \(was sha256:[0-9a-f]{12}…\)/);
  assert.notEqual(await moved.evaluate((el) => getComputedStyle(el).animationName), 'none');
  await screenshot(page, 'views-tag-moved');
  // docker tag onto another image moves a local tag too.
  await type(page, 'docker tag my-api:1.0 nginx:latest');
  await page.locator('.tags-view .image-card', { hasText: 'my-api:1.0' }).locator('.ref.moved', { hasText: 'nginx:latest' }).waitFor();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const still = page.locator('.tags-view .ref.moved').first();
  assert.equal(await still.evaluate((el) => getComputedStyle(el).animationName), 'none');
  assert.notEqual(await still.evaluate((el) => getComputedStyle(el).outlineStyle), 'none');
  // The next command that moves nothing clears the marks.
  await type(page, 'docker images');
  await page.waitForFunction(() => !document.querySelector('.tags-view .ref.moved'));
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('new layer rows slide in after a build, not the cached ones', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await page.getByRole('tab', { name: 'server.js' }).click();
  const area = page.locator('textarea.context-file');
  await area.fill((await area.inputValue()) + '\n// edit\n');
  await page.locator('#build-button').click();
  const copy = page.locator('.layer-row', { hasText: 'COPY . .' });
  await copy.locator('.badge.ran').waitFor();
  assert.ok(await copy.evaluate((el) => el.classList.contains('fresh')));
  const npm = page.locator('.layer-row', { hasText: 'RUN npm ci' });
  assert.ok(!(await npm.evaluate((el) => el.classList.contains('fresh'))));
  assert.equal(await copy.evaluate((el) => getComputedStyle(el).animationName), 'layer-slide-in');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('panels fold to a bar and back; the others take the room and nothing typed is lost', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  const width = async (sel) => (await page.locator(sel).boundingBox()).width;
  const height = async (sel) => (await page.locator(sel).boundingBox()).height;
  const stackBefore = await width('.image-panel');
  const termBefore = await height('.terminal-panel');
  await page.locator('#terminal-input').fill('docker ps -a');
  // Fold the editor: the image panel gets wider, the editor is a narrow bar.
  await page.getByRole('button', { name: 'Fold the Dockerfile panel' }).click();
  assert.ok(await width('.editor-panel') < 60, 'folded editor is a bar');
  assert.ok(await width('.image-panel') > stackBefore + 80, 'the image panel takes the room');
  assert.equal(await page.locator('.editor-panel textarea').first().isVisible(), false);
  // Fold both top-right panels: they become bars and the terminal grows.
  await page.getByRole('button', { name: 'Fold the Image panel' }).click();
  await page.getByRole('button', { name: 'Fold the Containers and tags panel' }).click();
  assert.ok(await height('.terminal-panel') > termBefore + 200, 'the terminal takes the height');
  await screenshot(page, 'views-folded');
  // Fold and unfold the terminal: the half-typed command is still there.
  await page.getByRole('button', { name: 'Fold the Terminal panel' }).click();
  assert.equal(await page.locator('#terminal-input').isVisible(), false);
  await page.getByRole('button', { name: 'Show the Terminal panel' }).click();
  assert.equal(await page.locator('#terminal-input').inputValue(), 'docker ps -a');
  // Everything back: the layout is the one we started with.
  for (const name of ['Dockerfile', 'Image', 'Containers and tags']) {
    const b = page.getByRole('button', { name: `Show the ${name} panel` });
    assert.equal(await b.getAttribute('aria-expanded'), 'false');
    await b.click();
  }
  assert.ok(Math.abs(await width('.image-panel') - stackBefore) < 2);
  assert.ok(Math.abs(await height('.terminal-panel') - termBefore) < 2);
  assert.ok(await page.locator('.editor-panel textarea').first().isVisible());
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

test('any local image can be taken apart: a pulled alpine shows its layers from its history', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await type(page, 'docker pull alpine');
  await page.locator('.term-screen', { hasText: 'docker.io/library/alpine:latest' }).waitFor();
  await page.getByRole('tab', { name: 'Tags & registries' }).click().catch(async () => {
    await page.getByRole('button', { name: 'Tags & registries' }).click();
  });
  await page.getByRole('button', { name: 'show the layers of alpine:latest' }).click();
  await page.locator('.image-panel h2', { hasText: 'alpine:latest image' }).waitFor();
  const rows = await page.locator('.layer-stack .layer-row').allInnerTexts();
  assert.ok(rows.some((r) => r.startsWith('ADD alpine-minirootfs')), rows.join('\n'));
  assert.ok(rows.some((r) => r.startsWith('CMD ["/bin/sh"]')), rows.join('\n'));
  // The whole filesystem of the pulled image is there to browse.
  await page.getByRole('button', { name: 'Whole filesystem' }).click();
  await page.locator('.fs-view .tree-row[data-path="/etc"]').waitFor();
  // Building brings the editor's image back.
  await page.locator('#build-button').click();
  await page.locator('.image-panel h2', { hasText: 'my-api:1.0 image' }).waitFor();
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

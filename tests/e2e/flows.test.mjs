// The main learner flows, driven through the page like a person would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, openPage, screenshot, ready, type } from './harness.mjs';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function lastOutput(page) {
  return (await page.locator('.term-screen').innerText());
}

test('editing server.js reuses the npm ci layer (CACHED) and says why COPY . . ran', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await page.getByRole('tab', { name: 'server.js' }).click();
  const area = page.locator('textarea.context-file');
  await area.fill((await area.inputValue()) + '\n// a change\n');
  await page.locator('#build-button').click();
  const npmRow = page.locator('.layer-row', { hasText: 'RUN npm ci --omit=dev' });
  await npmRow.locator('.badge.cached').waitFor();
  const copyRow = page.locator('.layer-row', { hasText: 'COPY . .' });
  assert.match(await copyRow.innerText(), /source files changed: server\.js/);
  assert.match(await page.locator('.build-vs-run').innerText(), /Recorded for runtime \(not run\): CMD/);
  await screenshot(page, 'flow-cache');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('a container writes a file: the runtime view and docker diff show it, the image does not change', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  const imageId = await page.locator('.image-id').innerText();
  await type(page, 'docker run -d --name api-1 -p 8080:3000 -e NODE_ENV=production my-api:1.0');
  await page.locator('.container-card', { hasText: 'api-1' }).waitFor();
  await type(page, 'docker exec api-1 sh -c "echo hello > /app/app.log"');
  await type(page, 'docker diff api-1');
  await page.waitForFunction(() => document.querySelector('.term-screen').innerText.includes('A /app/app.log'));
  const card = page.locator('.container-card', { hasText: 'api-1' });
  assert.match(await card.innerText(), /running/);
  assert.match(await card.innerText(), /8080 → 3000\/tcp/);
  assert.match(await card.locator('.diff').innerText(), /\/app\/app\.log/);
  await type(page, 'docker image history my-api:1.0');
  await type(page, 'docker run --rm my-api:1.0 ls /app');
  const out = await lastOutput(page);
  const lsOut = out.slice(out.lastIndexOf('$ docker run --rm my-api:1.0 ls /app'));
  assert.ok(!lsOut.includes('app.log'), `the image must not contain the container's log:\n${lsOut}`);
  assert.equal(await page.locator('.image-id').innerText(), imageId);
  await type(page, 'docker stop api-1');
  await page.locator('.container-card .state-badge.exited').waitFor();
  await screenshot(page, 'flow-runtime');
  await type(page, 'docker rm api-1');
  await page.locator('.container-card').waitFor({ state: 'detached' });
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('tag, push, pull by digest; the lifecycle strip follows', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await type(page, 'docker tag my-api:1.0 localhost:5000/my-api:1.0');
  await page.locator('.lifecycle .stage.active', { hasText: 'tag' }).waitFor();
  await type(page, 'docker push localhost:5000/my-api:1.0');
  await page.waitForFunction(() => /1\.0: digest: sha256:[0-9a-f]{64}/.test(document.querySelector('.term-screen').innerText));
  const text = await lastOutput(page);
  const digest = text.match(/1\.0: digest: (sha256:[0-9a-f]{64})/)[1];
  await page.getByRole('tab', { name: 'Tags & registries' }).click();
  assert.match(await page.locator('.tags-view').innerText(), /localhost:5000\//);
  await type(page, 'docker rmi localhost:5000/my-api:1.0');
  await type(page, `docker pull localhost:5000/my-api@${digest}`);
  await page.waitForFunction((d) => document.querySelector('.term-screen').innerText.includes(`Digest: ${d}`), digest);
  await page.locator('.lifecycle .stage.active', { hasText: 'pull' }).waitFor();
  await screenshot(page, 'flow-tags');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('the terminal has history and tab completion, and unknown commands fail like docker', async () => {
  const { page, context } = await openPage(browser, server.url);
  await ready(page);
  const input = page.locator('#terminal-input');
  await input.fill('docker ima');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'docker image');
  await input.fill('docker frobnicate');
  await input.press('Enter');
  await page.waitForFunction(() => document.querySelector('.term-screen').innerText.includes("is not a docker command"));
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'docker frobnicate');
  await context.close();
});

test('docker run -it gives the container shell a prompt; exit stops the container', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  await type(page, 'docker run -it --name box my-api:1.0 sh');
  const prompt = page.locator('.term-prompt.in-container');
  await prompt.waitFor();
  assert.equal((await prompt.locator('span').innerText()).trim(), '/app #');
  await type(page, 'echo hello > notes.txt && cat notes.txt');
  await page.waitForFunction(() => document.querySelector('.term-screen').innerText.includes('/app # echo hello > notes.txt && cat notes.txt\nhello'));
  await type(page, 'cd /tmp');
  await page.locator('.term-prompt.in-container span', { hasText: '/tmp #' }).waitFor();
  // Tab does not offer docker commands inside the container's shell.
  const input = page.locator('#terminal-input');
  await input.fill('ima');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'ima');
  await input.fill('');
  await screenshot(page, 'flow-interactive');
  await type(page, 'exit 4');
  await page.locator('.term-prompt.in-container').waitFor({ state: 'detached' });
  await type(page, 'docker ps -a --format "{{.Names}} {{.Status}}"');
  await page.waitForFunction(() => /box Exited \(4\)/.test(document.querySelector('.term-screen').innerText));
  await type(page, 'docker diff box');
  await page.waitForFunction(() => document.querySelector('.term-screen').innerText.includes('A /app/notes.txt'));
  // node with no script under -it: node's own prompt, until .exit.
  await type(page, 'docker run -it --name repl node:lts-alpine');
  await page.locator('.term-prompt.in-container span', { hasText: '>' }).waitFor();
  assert.equal(await page.locator('#terminal-input').getAttribute('placeholder'), 'JavaScript for node (.exit leaves)');
  await type(page, '6*7');
  await page.waitForFunction(() => document.querySelector('.term-screen').innerText.includes('> 6*7\n42'));
  await type(page, '.exit');
  await page.locator('.term-prompt.in-container').waitFor({ state: 'detached' });
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('docker save -o downloads the image as a tar that real tar reads', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  await ready(page);
  // A foreground run of a server says how a real terminal would behave.
  await type(page, 'docker run --name fg my-api:1.0');
  await page.locator('.term-screen', { hasText: 'a real terminal stays attached to this container' }).waitFor();
  await type(page, 'docker save my-api:1.0');
  await page.locator('.term-screen', { hasText: 'cowardly refusing to save to a terminal' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    type(page, 'docker save -o my-api.tar my-api:1.0'),
  ]);
  assert.equal(download.suggestedFilename(), 'my-api.tar');
  const file = await download.path();
  const { execFileSync } = await import('node:child_process');
  const listing = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
  for (const f of ['oci-layout', 'index.json', 'manifest.json']) assert.ok(listing.includes(f), `${f} in ${listing.slice(0, 5)}`);
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }));
  assert.deepEqual(manifest[0].RepoTags, ['my-api:1.0']);
  // The config in the archive is the image: its digest is the IMAGE ID shown.
  const shownId = (await page.locator('.image-id').innerText()).replace('IMAGE ID ', '');
  assert.ok(manifest[0].Config.includes(shownId), `${manifest[0].Config} vs ${shownId}`);
  await page.locator('.term-screen', { hasText: 'my-api.tar' }).waitFor();
  // The archive is also a file of the simulated host: docker load reads it back.
  await type(page, 'docker rmi my-api:1.0');
  await type(page, 'docker load -i my-api.tar');
  await page.locator('.term-screen', { hasText: 'Loaded image: my-api:1.0' }).waitFor();
  // docker load with no file: the learner picks one in the browser's file dialog.
  await type(page, 'docker rmi my-api:1.0');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), type(page, 'docker load')]);
  const picked = path.join(path.dirname(file), 'from-disk.tar');
  fs.copyFileSync(file, picked);
  await chooser.setFiles(picked);
  await page.locator('.term-screen', { hasText: '$ docker load -i from-disk.tar' }).waitFor();
  assert.equal((await page.locator('.term-screen').innerText()).match(/Loaded image: my-api:1.0/g).length, 2);
  // The image panel now takes the loaded image apart: its layers from its history.
  await page.locator('.image-panel h2', { hasText: 'my-api:1.0 image' }).waitFor();
  const rows = await page.locator('.layer-stack .layer-row').allInnerTexts();
  assert.ok(rows.some((r) => r.includes('RUN /bin/sh -c npm ci --omit=dev')), rows.join('\n'));
  assert.equal(await page.locator('.layer-stack .line-ref').count(), 0);
  await page.locator('.layer-stack .layer-row.fs', { hasText: 'COPY . .' }).click();
  await page.locator('.tree-row[data-path="/app/server.js"]').first().waitFor();
  await screenshot(page, 'flow-loaded-image');
  // docker export flattens a container; the download says so; docker import reads it.
  await type(page, 'docker run -d --name flat-src my-api:1.0');
  const [exported] = await Promise.all([page.waitForEvent('download'), type(page, 'docker export -o fs.tar flat-src')]);
  assert.equal(exported.suggestedFilename(), 'fs.tar');
  const fsListing = execFileSync('tar', ['-tf', await exported.path()], { encoding: 'utf8' });
  assert.match(fsListing, /app\/server\.js/);
  await page.locator('.term-screen', { hasText: 'flattened: no layers, history or config' }).waitFor();
  await type(page, 'docker import fs.tar flat:1');
  await type(page, "docker image inspect flat:1 --format '{{len .RootFS.Layers}} layer'");
  await page.waitForFunction(() => document.querySelector('.term-screen').innerText.includes('\n1 layer'));
  await type(page, "docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}'");
  await page.locator('.term-screen', { hasText: `my-api:1.0 ${shownId}` }).waitFor();
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.foreignRequests, []);
  await context.close();
});

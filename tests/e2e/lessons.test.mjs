// Every lesson completed in the browser by scripted actions (the same scripts as
// tests/suite/lessons_walkthrough.rs): each step must turn "done" after its actions, and the
// lesson must end complete. Progress survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, screenshot } from './harness.mjs';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const BUILD = { cmd: 'docker build -t my-api:1.0 .' };
const cmd = (c) => ({ cmd: c });
const edit = (from, to) => ({ edit: [from, to] });
const file = (path, text) => ({ file: [path, text] });

const SCRIPTS = {
  'build': [[BUILD], [cmd('docker image inspect my-api:1.0')], [file('notes.txt', 'remember the context\n'), BUILD]],
  'instructions': [
    [BUILD],
    [edit('CMD [', 'LABEL org.opencontainers.image.authors="you"\nCMD ['), BUILD],
    [edit('RUN npm ci --omit=dev\n', 'RUN npm ci --omit=dev\nRUN mkdir -p /app/data\n'), BUILD],
  ],
  'run-vs-cmd': [[cmd('docker build -t timing:1.0 .')], [cmd('docker run --name t1 timing:1.0')], [cmd('docker run --name t2 timing:1.0 echo hello')]],
  'layer-sizes': [
    [BUILD],
    [edit('RUN npm ci --omit=dev\n', 'RUN npm ci --omit=dev\nRUN rm -rf /root/.npm\n'), BUILD],
    [edit('RUN npm ci --omit=dev\nRUN rm -rf /root/.npm\n', 'RUN npm ci --omit=dev && rm -rf /root/.npm\n'), BUILD],
  ],
  'layer-cache': [
    [BUILD],
    [file('server.js', "console.log('v2');\n"), BUILD],
    [edit('COPY . .\nRUN npm ci --omit=dev\n', 'COPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n'), BUILD],
    [file('server.js', "console.log('v3');\n"), BUILD],
    [BUILD],
  ],
  'history': [
    [BUILD, cmd('docker image history my-api:1.0')],
    [edit('CMD [', 'ENV PORT=8080\nCMD ['), BUILD, cmd('docker image history my-api:1.0')],
  ],
  'run-container': [
    [BUILD],
    [cmd('docker run -d --name api-1 -p 8080:3000 -e NODE_ENV=production -v api-data:/data my-api:1.0')],
    [cmd('docker run -d --name api-2 -p 8081:4000 -e PORT=4000 my-api:1.0'), cmd('docker logs api-2')],
  ],
  'writable-layer': [
    [BUILD, cmd('docker run -d --name api-1 my-api:1.0')],
    [cmd('docker diff api-1')],
    [cmd('docker exec api-1 sh -c "echo upload > /app/upload.txt"')],
    [cmd('docker run --rm my-api:1.0 ls /app')],
    [cmd('docker stop api-1'), cmd('docker diff api-1')],
    [cmd('docker rm api-1')],
  ],
  'shell-inside': [
    [BUILD, cmd('docker run -it --name shell my-api:1.0 sh')],
    [cmd('echo notes > scratch.txt'), cmd('ls')],
    [cmd('exit')],
    [cmd('docker diff shell')],
  ],
  'images-are-files': [
    [BUILD],
    [cmd('docker save -o my-api.tar my-api:1.0')],
    [cmd('docker rmi my-api:1.0')],
    [cmd('docker load -i my-api.tar')],
  ],
  'lifecycle': [
    [BUILD],
    [cmd('docker tag my-api:1.0 registry.example.com/team/my-api:1.0')],
    [cmd('docker login registry.example.com -u alice')],
    [cmd('docker push registry.example.com/team/my-api:1.0')],
    [cmd('docker rmi my-api:1.0 registry.example.com/team/my-api:1.0')],
    [cmd('docker pull registry.example.com/team/my-api:1.0')],
    [cmd('docker run -d --name api-1 registry.example.com/team/my-api:1.0')],
    [cmd('docker stop api-1'), cmd('docker ps -a')],
    [cmd('docker rm api-1')],
    [cmd('docker rmi registry.example.com/team/my-api:1.0')],
  ],
  'tags': [
    [cmd('docker pull nginx')],
    [cmd('docker tag nginx my-nginx:prod'), cmd('docker images')],
    [cmd('docker rmi my-nginx:prod')],
    [cmd('docker pull nginx:alpine')],
  ],
  'digests': [
    [cmd('docker pull nginx')],
    [cmd('docker images --digests'), { from: 'pin' }],
    [cmd('!someone-pushes nginx')],
    [cmd('docker pull nginx')],
    [{ from: 'run-pinned' }],
  ],
  'build-vs-runtime': [
    [BUILD],
    [cmd('docker run -d --name api-1 -v api-data:/data my-api:1.0')],
    [cmd('docker exec api-1 sh -c "echo cache > /tmp/cache.txt && echo keep > /data/keep.txt"'), cmd('docker diff api-1')],
    [cmd('docker rm -f api-1'), cmd('docker volume ls')],
  ],
  'multi-stage': [[cmd('docker build -t app:1.0 .')], [cmd('docker build --target build -t app:build .')]],
};

async function run(page, line) {
  const input = page.locator('#terminal-input');
  const before = await page.locator('.term-in').count();
  await input.fill(line);
  await input.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.term-in').length > n, before);
  return line;
}

async function act(page, a, memo) {
  if (a.cmd) return run(page, a.cmd);
  if (a.edit) {
    const [from, to] = a.edit;
    const text = await page.locator('#dockerfile').inputValue();
    assert.ok(text.includes(from), `the Dockerfile has no ${JSON.stringify(from)}:\n${text}`);
    await page.locator('#dockerfile').fill(text.replace(from, to));
    return;
  }
  if (a.file) {
    const [path, text] = a.file;
    const tab = page.getByRole('tab', { name: path, exact: true });
    if (await tab.count() === 0) {
      await page.locator('.file-add input').fill(path);
      await page.locator('.file-add button').click();
    } else {
      await tab.click();
    }
    await page.locator('textarea.context-file').fill(text);
    return;
  }
  if (a.from === 'pin') {
    const screen = await page.locator('.term-screen').innerText();
    const out = screen.slice(screen.lastIndexOf('$ docker images --digests'));
    const line = out.split('\n').find((l) => l.startsWith('nginx ') && l.includes(' latest '));
    memo.pinned = `nginx@${line.trim().split(/\s+/)[2]}`;
    return run(page, `docker pull ${memo.pinned}`);
  }
  if (a.from === 'run-pinned') return run(page, `docker run -d --name pinned ${memo.pinned}`);
  throw new Error(`unknown act ${JSON.stringify(a)}`);
}

for (const [id, steps] of Object.entries(SCRIPTS)) {
  test(`lesson ${id} is completed by scripted actions`, async () => {
    const { page, problems, context } = await openPage(browser, server.url);
    await page.locator('.layer-stack .layer-row').first().waitFor({ timeout: 15000 });
    await page.getByRole('button', { name: 'Lessons' }).click();
    await page.locator(`button[data-lesson="${id}"]`).click();
    await page.locator('.active-lesson').waitFor();
    const memo = {};
    for (let i = 0; i < steps.length; i++) {
      assert.equal(await page.locator('.lesson-step.done').count(), i, `before step ${i + 1}`);
      for (const a of steps[i]) await act(page, a, memo);
      await page.waitForFunction((n) => document.querySelectorAll('.lesson-step.done').length > n, i, { timeout: 10000 })
        .catch(async () => {
          const fb = await page.locator('.lesson-feedback').innerText().catch(() => '');
          throw new Error(`lesson ${id} step ${i + 1} not done: ${fb}`);
        });
    }
    await page.locator('.lesson-feedback.ok', { hasText: 'Lesson complete' }).waitFor();
    if (id === 'layer-cache') await screenshot(page, 'lesson-layer-cache');
    // Completed lessons are remembered across reloads.
    await page.reload();
    await page.locator('.layer-stack .layer-row').first().waitFor({ timeout: 15000 });
    await page.getByRole('button', { name: 'Lessons' }).click();
    await page.locator(`button[data-lesson="${id}"] + .lesson-done`).waitFor();
    assert.deepEqual(problems.pageErrors, []);
    await context.close();
  });
}

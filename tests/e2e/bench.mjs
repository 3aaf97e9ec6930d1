// Browser figures for scripts/bench (`name: value unit`):
//  - navigation → the app's `layerlab:ready` mark (default example built and drawn), median of 5
//  - rebuild after editing server.js (npm layer cached), median of 5
//  - the seed example rebuilt with --no-cache inside the page (the engine in wasm), median of 5
//  - a 200-instruction build: the longest the page is busy in one go (frame time)
import { serve, launch, openPage } from './harness.mjs';

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const server = await serve();
const browser = await launch();

const loads = [];
for (let i = 0; i < 5; i++) {
  const { page, context } = await openPage(browser, server.url);
  await page.waitForFunction(() => performance.getEntriesByName('layerlab:ready').length > 0, null, { timeout: 20000 });
  loads.push(await page.evaluate(() => performance.getEntriesByName('layerlab:ready')[0].startTime));
  await context.close();
}
console.log(`load_to_default_built_ms: ${median(loads).toFixed(1)} ms`);

const { page, context } = await openPage(browser, server.url);
await page.locator('.layer-stack .layer-row.fs').first().waitFor({ timeout: 20000 });
// Runs a command through the postMessage API and times it inside the page.
const timed = (command) => page.evaluate((command) => new Promise((resolve) => {
  const t0 = performance.now();
  const onMsg = (e) => {
    if (e.data && e.data.type === 'layerlab:output' && e.data.command === command) {
      window.removeEventListener('message', onMsg);
      requestAnimationFrame(() => resolve({ ms: performance.now() - t0, exitCode: e.data.exitCode }));
    }
  };
  window.addEventListener('message', onMsg);
  window.postMessage({ type: 'layerlab:run', command }, '*');
}), command);

const rebuilds = [];
for (let i = 0; i < 5; i++) {
  await page.getByRole('tab', { name: 'server.js' }).click();
  await page.locator('textarea.context-file').fill(`console.log(${i});\n`);
  const r = await timed('docker build -t my-api:1.0 .');
  if (r.exitCode !== 0) throw new Error('rebuild failed');
  rebuilds.push(r.ms);
}
console.log(`rebuild_after_edit_ms: ${median(rebuilds).toFixed(1)} ms`);

const cold = [];
for (let i = 0; i < 5; i++) {
  const r = await timed('docker build --no-cache -t my-api:1.0 .');
  if (r.exitCode !== 0) throw new Error('no-cache build failed');
  cold.push(r.ms);
}
console.log(`browser_build_seed_no_cache_ms: ${median(cold).toFixed(1)} ms`);

let df = 'FROM busybox\n';
for (let i = 0; i < 50; i++) df += `ENV STEP${i}=${i}\nRUN echo ${i} > /tmp/f${i}\nCOPY package.json /data/${i}/\nWORKDIR /w${i}\n`;
await page.locator('#dockerfile').fill(df);
const frame = await timed('docker build -t steps:200 .');
if (frame.exitCode !== 0) throw new Error('200-step build failed');
console.log(`build_200_steps_frame_ms: ${frame.ms.toFixed(1)} ms`);

// A 1,000-command transcript through the page (engine in wasm + terminal rendering).
const round = (i) => [
  `docker build -t b${i}:1 .`, `docker run -d --name c${i} b${i}:1`,
  `docker exec c${i} sh -c "echo ${i} > /tmp/x"`, `docker diff c${i}`,
  `docker tag b${i}:1 localhost:5000/b${i}:1`, `docker push localhost:5000/b${i}:1`,
  `docker rmi localhost:5000/b${i}:1`, `docker pull localhost:5000/b${i}:1`,
  `docker stop c${i}`, `docker rm c${i}`,
];
await page.locator('#dockerfile').fill('FROM alpine:3.20\nRUN echo hi > /hi\nCMD ["sleep", "3600"]\n');
let failed = 0;
const t0 = Date.now();
for (let i = 0; i < 100; i++) {
  for (const c of round(i)) {
    const r = await timed(c);
    if (r.exitCode !== 0) failed++;
  }
}
console.log(`browser_transcript_1000_commands: ${((Date.now() - t0) / 1000).toFixed(2)} s`);
console.log(`browser_transcript_failed_commands: ${failed} commands`);

await context.close();
await browser.close();
await server.close();

// Browser figures for scripts/bench: time from navigation start to the app's
// `layerlab:ready` performance mark (default example built and its stack rendered),
// median of 5 fresh page loads.
import { serve, launch, openPage } from './harness.mjs';

const server = await serve();
const browser = await launch();
const times = [];
for (let i = 0; i < 5; i++) {
  const { page, context } = await openPage(browser, server.url);
  await page.waitForFunction(() => performance.getEntriesByName('layerlab:ready').length > 0, null, { timeout: 20000 });
  times.push(await page.evaluate(() => performance.getEntriesByName('layerlab:ready')[0].startTime));
  await context.close();
}
await browser.close();
await server.close();
times.sort((a, b) => a - b);
console.log(`load_to_default_built_ms: ${times[2].toFixed(1)} ms`);

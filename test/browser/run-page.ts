// Serves the repository with one extra page, opens it in Debian's chromium and
// returns what the page's script left in `window.result` (a page reports a
// thrown error as `{ error }`, which fails here with the page's stack).
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveRepository } from './serve-repo.js';
import { launchChromium } from './launch-chromium.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export async function runPageInChromium(path: string, html: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const server = await serveRepository(root, { [path]: html });
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    await tab.goto(`${server.url}${path}`);
    await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: timeoutMs });
    const result = (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as Record<string, unknown>;
    assert.equal(result['error'], undefined, String(result['error']));
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

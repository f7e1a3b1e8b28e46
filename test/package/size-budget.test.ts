// Size budget of what an edge bundle carries: the core bundled and minified
// by esbuild (the `sluice/edge` entry, and the full `sluice` entry with its
// embedded kernel), and the kernel `.wasm` files. README ("Edge runtimes")
// states the figures; raise a budget only with a reason, and update both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleForEdge, repoRoot } from '../edge/bundle.js';

const KB = 1024;
const BUDGETS = {
  // About 20% above the sizes of 5 December 2026 (edge 116 / 35 KiB, full 183 / 54 KiB), after scale-out's partitioned
  // state (updateStateByKey, mapWithState and the windows report and take in state by key) went into the core.
  'sluice/edge bundle': { raw: 140 * KB, gzip: 42 * KB },
  'sluice bundle': { raw: 220 * KB, gzip: 65 * KB },
  // 24 / 9 KiB since word counts against the key cache (issue 14): the word scan is compiled twice, with and
  // without listing first occurrences, so neither loop pays a branch per word (20.6 / 8.0 KiB then).
  'kernel.wasm': { raw: 24 * KB, gzip: 9 * KB },
  'kernel.shared.wasm': { raw: 24 * KB, gzip: 9 * KB },
} as const;

function sizes(bytes: Uint8Array): { raw: number; gzip: number } {
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

test('the edge bundle, the full bundle and the kernel files stay within their size budgets', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-size-'));
  try {
    const edgeMeta = await bundleForEdge({ entries: ['dist/src/edge.js'], outdir: join(dir, 'edge'), minify: true });
    await bundleForEdge({ entries: ['dist/src/index.js'], outdir: join(dir, 'full'), minify: true });
    const measured = {
      'sluice/edge bundle': sizes(readFileSync(join(dir, 'edge/edge.js'))),
      'sluice bundle': sizes(readFileSync(join(dir, 'full/index.js'))),
      'kernel.wasm': sizes(readFileSync(resolve(repoRoot, 'build/sluice.wasm'))),
      'kernel.shared.wasm': sizes(readFileSync(resolve(repoRoot, 'build/sluice.shared.wasm'))),
    };
    for (const [name, size] of Object.entries(measured)) {
      t.diagnostic(`${name}: ${size.raw} bytes raw, ${size.gzip} bytes gzip -9`);
      const budget = BUDGETS[name as keyof typeof BUDGETS];
      assert.ok(size.raw <= budget.raw && size.gzip <= budget.gzip, `${name} is ${size.raw} B raw / ${size.gzip} B gzip, over its budget of ${budget.raw} / ${budget.gzip}`);
    }
    assert.deepEqual(Object.keys(edgeMeta.inputs).filter((input) => input.includes('wasm-base64')), [], 'the edge bundle carries no embedded kernel');
    const embedded = readFileSync(resolve(repoRoot, 'dist/src/kernels/generated/wasm-base64.js')).length;
    assert.ok(measured['sluice bundle'].raw - measured['sluice/edge bundle'].raw > embedded, 'the full bundle is larger by at least the embedded kernels');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

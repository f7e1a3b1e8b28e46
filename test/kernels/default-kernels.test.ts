// Imports only the edge entry first: nothing has registered the embedded build,
// as in a `sluice/edge` bundle. (Each test file runs in its own process.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultKernels, loadKernels, setDefaultKernels } from '../../src/edge.js';

const shipped = new WebAssembly.Module(readFileSync(fileURLToPath(new URL('../../../build/sluice.wasm', import.meta.url))));

test('with the edge entry alone, the default kernels are JS and say why; setDefaultKernels replaces them', async () => {
  const fallback = defaultKernels();
  assert.equal(fallback.kind, 'js');
  assert.match(fallback.fallbackReason ?? '', /setDefaultKernels/);
  assert.equal(defaultKernels(), fallback, 'chosen once');
  const wasm = await loadKernels({ module: shipped });
  setDefaultKernels(wasm);
  assert.equal(defaultKernels(), wasm);
  // Importing the full entry later registers its embedded build, but does not replace a choice already made.
  const full = await import('../../src/internals.js');
  assert.equal(full.defaultKernels(), wasm);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openKernels } from '../../../src/node/cli/kernels-option.js';

// Runs before anything in this process compiled the embedded module.
test('when the WASM kernels cannot load, the CLI says so and why at start', async () => {
  const original = WebAssembly.Module;
  const forbidden = function Module(): never {
    throw new Error('Wasm code generation disallowed by embedder');
  } as unknown as typeof WebAssembly.Module;
  Object.defineProperty(WebAssembly, 'Module', { value: forbidden, configurable: true, writable: true });
  try {
    const handle = await openKernels(1);
    assert.equal(handle.kernels.kind, 'js');
    assert.match(handle.description, /^js kernels: WASM could not load \(.*disallowed by embedder.*\)$/);
  } finally {
    Object.defineProperty(WebAssembly, 'Module', { value: original, configurable: true, writable: true });
  }
  assert.equal((await openKernels(1)).description, 'wasm kernels');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KernelError } from '../../src/errors.js';
import { createModuleKernels, loadModuleKernels } from '../../src/kernels/load-module.js';
import { pairsOf } from './reference.js';

// What `import kernel from 'sluice/kernel.wasm'` gives on workerd: a compiled module of the shipped file.
const shippedBytes = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../build/sluice.wasm', import.meta.url))));
const shipped = new WebAssembly.Module(shippedBytes);
const SAMPLE = new TextEncoder().encode('长江 a  b\ta 长江');

test('the shipped .wasm file, as a precompiled module or as bytes, gives WASM kernels', async () => {
  for (const kernels of [await loadModuleKernels({ module: shipped }), createModuleKernels({ module: shipped }), await loadModuleKernels({ bytes: shippedBytes })]) {
    assert.equal(kernels.kind, 'wasm');
    assert.equal(kernels.fallbackReason, undefined);
    assert.deepEqual(pairsOf(kernels.wordCount(SAMPLE)), [['长江', 2], ['a', 2], ['b', 1]]);
  }
});

test('without a module there is no embedded build to fall back on: a KernelError that says what to pass', async () => {
  await assert.rejects(loadModuleKernels({}), (error: unknown) => {
    assert.ok(error instanceof KernelError);
    assert.equal(error.code, 'ERR_SLUICE_KERNEL_LOAD');
    assert.match(error.message, /sluice\/kernel\.wasm/);
    return true;
  });
  assert.throws(() => createModuleKernels({ fallback: true }), { code: 'ERR_SLUICE_KERNEL_LOAD' });
});

test('bytes that are not the kernel module fail with the compiler error as cause, never as JS kernels', async () => {
  await assert.rejects(loadModuleKernels({ bytes: new Uint8Array([0, 1, 2]) }), (error: unknown) => {
    assert.ok(error instanceof KernelError && error.cause instanceof WebAssembly.CompileError);
    return true;
  });
  assert.throws(() => createModuleKernels({ bytes: new Uint8Array([0, 1, 2]) }), { code: 'ERR_SLUICE_KERNEL_LOAD' });
});

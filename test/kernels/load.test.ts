import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KernelInstance, RegionAllocator, WasmKernels, createKernelMemory, createKernels, defaultKernels, embeddedModule, embeddedModuleBytes,
  exportTable, allocTable, geometryFor, loadKernels, VALUE_I64, KernelMemory, tableRegionBytes,
} from '../../src/kernels/index.js';
import { pairsOf } from './reference.js';

const utf8 = new TextEncoder();
const SAMPLE = utf8.encode('to be or not to be');
const EXPECTED: Array<[string, number]> = [['to', 2], ['be', 2], ['or', 1], ['not', 1]];

// Runs first, before anything in this process compiled the embedded module.
test('where compiling from bytes is forbidden, the implicit path falls back and a precompiled module still works', async () => {
  const precompiled = new WebAssembly.Module(embeddedModuleBytes());
  const original = WebAssembly.Module;
  const originalCompile = WebAssembly.compile;
  const forbidden = function Module(): never {
    throw new Error('Wasm code generation disallowed by embedder');
  } as unknown as typeof WebAssembly.Module;
  Object.defineProperty(WebAssembly, 'Module', { value: forbidden, configurable: true, writable: true });
  Object.defineProperty(WebAssembly, 'compile', { value: () => Promise.reject(new Error('disallowed')), configurable: true, writable: true });
  try {
    const fallback = createKernels();
    assert.equal(fallback.kind, 'js');
    assert.match(fallback.fallbackReason ?? '', /Could not compile the embedded kernel module: .*disallowed by embedder/, 'the fallback says why');
    assert.equal((await loadKernels()).kind, 'js');
    assert.match((await loadKernels()).fallbackReason ?? '', /disallowed by embedder/);
    assert.throws(() => createKernels({ fallback: false }), { code: 'ERR_SLUICE_KERNEL_LOAD' });
    await assert.rejects(loadKernels({ bytes: embeddedModuleBytes() }), { code: 'ERR_SLUICE_KERNEL_LOAD' });
    const fromModule = await loadKernels({ module: precompiled });
    assert.equal(fromModule.kind, 'wasm');
    assert.deepEqual(pairsOf(fromModule.wordCount(SAMPLE)), EXPECTED);
    assert.equal(createKernels({ module: precompiled }).kind, 'wasm');
  } finally {
    Object.defineProperty(WebAssembly, 'Module', { value: original, configurable: true, writable: true });
    Object.defineProperty(WebAssembly, 'compile', { value: originalCompile, configurable: true, writable: true });
  }
});

test('without WebAssembly at all the fallback is used', () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly');
  assert.ok(saved !== undefined);
  Object.defineProperty(globalThis, 'WebAssembly', { value: undefined, configurable: true, writable: true });
  try {
    const kernels = createKernels();
    assert.equal(kernels.kind, 'js');
    assert.equal(kernels.fallbackReason, 'WebAssembly is not available in this runtime');
    assert.throws(() => createKernels({ fallback: false }), { code: 'ERR_SLUICE_KERNEL_LOAD', message: 'WebAssembly is not available in this runtime' });
    assert.deepEqual(pairsOf(kernels.wordCount(SAMPLE)), EXPECTED);
  } finally {
    Object.defineProperty(globalThis, 'WebAssembly', saved);
  }
});

test('loading from bytes, from the embedded build, and the process-wide default', async () => {
  const fromBytes = await loadKernels({ bytes: embeddedModuleBytes() });
  assert.equal(fromBytes.kind, 'wasm');
  assert.deepEqual(pairsOf(fromBytes.wordCount(SAMPLE)), EXPECTED);
  assert.equal(defaultKernels(), defaultKernels());
  assert.equal(defaultKernels().kind, 'wasm');
  assert.equal(defaultKernels().fallbackReason, undefined);
  await assert.rejects(loadKernels({ bytes: new Uint8Array([0, 1, 2]) }), { code: 'ERR_SLUICE_KERNEL_LOAD' });
});

test('the memory grows with every view refreshed; past the maximum a KernelError, and the kernels stay usable', () => {
  const memory = createKernelMemory({ initialPages: 1 });
  const kernels = createKernels({ memory, maximumPages: 400 });
  const words = Array.from({ length: 100_000 }, (_, i) => `w${i}`).join(' ');
  const r = kernels.wordCount(utf8.encode(words));
  assert.equal(r.keys.length, 100_000);
  assert.ok(memory.buffer.byteLength > 65536);
  assert.throws(() => kernels.wordCount(new Uint8Array(32 << 20).fill(0x61)), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'ERR_SLUICE_KERNEL_MEMORY');
    assert.match((error as Error).message, /smaller batches/);
    return true;
  });
  assert.deepEqual(pairsOf(kernels.wordCount(SAMPLE)), EXPECTED);
  const k = new KernelMemory(new WebAssembly.Memory({ initial: 1, maximum: 2 }));
  assert.throws(() => k.ensure(5 * 65536), { code: 'ERR_SLUICE_KERNEL_MEMORY' });
});

test('the shared build runs on a shared memory, and two instances work on one memory side by side', async () => {
  const memory = createKernelMemory({ shared: true });
  assert.ok(memory.buffer instanceof SharedArrayBuffer);
  const kernels = await loadKernels({ memory });
  assert.equal(kernels.kind, 'wasm');
  assert.deepEqual(pairsOf(kernels.wordCount(SAMPLE)), EXPECTED);
  const table = kernels.createTable('sum');
  table.mergeValues({ keys: ['长江', 'a'], values: Float64Array.of(1, 2) });
  assert.equal(table.get('长江'), 1);
  assert.deepEqual(pairsOf(table.top(1)), [['a', 2]]);
  // 1.5e200 and 1.5e400 take the number parser's slow path, a call back into JS reading the shared memory;
  // 1.5e400 overflows to Infinity and is counted as malformed.
  const delimited = kernels.aggregateDelimited(utf8.encode('a,1.5e200\nb,x\na,0.1234567890123456789e2\nc,1.5e400'), { delimiter: ',', keyField: 0, valueField: 1, reducer: 'max' });
  assert.deepEqual(pairsOf(delimited.result), [['a', 1.5e200]]);
  assert.equal(delimited.malformed, 2);
  assert.ok(kernels instanceof WasmKernels);
  const other = await KernelInstance.instantiate(embeddedModule(true), memory);
  const ctx = kernels.context;
  const input = ctx.allocator.alloc(64);
  other.writeInput(input, utf8.encode('b a b'));
  const t = allocTable(ctx, geometryFor(4, 16), VALUE_I64, 'sum');
  assert.equal(other.wordCount(t, input, 5), 5);
  assert.deepEqual(pairsOf(exportTable(ctx, t)), [['b', 2], ['a', 1]]);
});

test('kernels created on one memory share its allocator, and their tables work together directly', () => {
  const memory = createKernelMemory();
  const a = createKernels({ memory });
  const b = createKernels({ memory });
  assert.ok(a instanceof WasmKernels && b instanceof WasmKernels);
  assert.equal(a.context.allocator, b.context.allocator);
  const ta = a.createTable('sum');
  const tb = b.createTable('sum');
  b.wordCountInto(ta, utf8.encode('x y x'));
  a.wordCountInto(tb, utf8.encode('y z'));
  ta.mergeTable(tb);
  assert.deepEqual(pairsOf(ta.entries()), [['x', 2], ['y', 2], ['z', 1]]);
  assert.deepEqual(pairsOf(tb.entries()), [['y', 1], ['z', 1]]);
});

test('after one huge batch the scratch table shrinks again instead of being held and cleared', () => {
  const kernels = createKernels({ memory: createKernelMemory() });
  assert.ok(kernels instanceof WasmKernels);
  const allocator = kernels.context.allocator;
  kernels.wordCount(SAMPLE);
  const small = allocator.allocatedBytes;
  kernels.wordCount(utf8.encode(Array.from({ length: 300_000 }, (_, i) => `k${i}`).join(' ')));
  const huge = allocator.allocatedBytes;
  assert.ok(huge > small * 4, `${huge} vs ${small}`);
  kernels.wordCount(SAMPLE); // sees the huge, nearly empty table and replaces it
  kernels.wordCount(SAMPLE);
  assert.deepEqual(pairsOf(kernels.wordCount(SAMPLE)), EXPECTED);
  // Scratch input/export regions stay for reuse; the table's slots (at least) were given back.
  const slotsOf300k = tableRegionBytes(geometryFor(300_000, 0).capacity, 0);
  assert.ok(huge - allocator.allocatedBytes >= slotsOf300k, `${allocator.allocatedBytes} vs ${huge}`);
});

test('the region allocator reuses and coalesces freed regions', () => {
  const memory = new KernelMemory(new WebAssembly.Memory({ initial: 1 }));
  const allocator = new RegionAllocator(memory);
  const a = allocator.alloc(100);
  const b = allocator.alloc(1000);
  const c = allocator.alloc(10);
  assert.equal(a % 16, 0);
  assert.ok(a >= 4096 && b >= a + 100 && c >= b + 1000);
  allocator.release(a);
  allocator.release(b);
  // a and b coalesced: a region of their combined size fits where a was.
  assert.equal(allocator.alloc(1120), a);
  const end = allocator.heapEnd;
  allocator.release(c);
  assert.equal(allocator.alloc(10), c, 'same-size request reuses the freed region');
  assert.equal(allocator.heapEnd, end);
  const big = allocator.alloc(1 << 20);
  assert.ok(memory.byteLength >= big + (1 << 20), 'memory grew to hold the region');
  assert.throws(() => allocator.release(12345), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKernels, type Kernels, KernelError } from '../../src/index.js';
import type { KeyedValues } from '../../src/kernels/api.js';
import { WasmTable } from '../../src/kernels/wasm-table.js';

const utf8 = new TextEncoder();
/** 8 MiB of kernel memory: far too little for the batch below, which makes its tables grow several times before they cannot. */
const SMALL = { fallback: false, maximumPages: 128 } as const;
const distinctWords = utf8.encode(Array.from({ length: 400_000 }, (_, i) => `word${i}`).join(' '));
const distinctOrders = utf8.encode(Array.from({ length: 200_000 }, (_, i) => `${i},province${i},1.5`).join('\n'));

function asMap(result: KeyedValues): Map<string, number> {
  return new Map(result.keys.map((k, i) => [k, result.values[i] as number]));
}

function outOfMemory(run: () => unknown): void {
  assert.throws(run, (e: unknown) => e instanceof KernelError && e.code === 'ERR_SLUICE_KERNEL_MEMORY');
}

test('after running out of kernel memory midway through growing a table, the next calls still give exact results', () => {
  const kernels = createKernels(SMALL) as Kernels;
  assert.equal(kernels.kind, 'wasm');
  for (let round = 0; round < 2; round++) {
    outOfMemory(() => kernels.wordCount(distinctWords));
    assert.deepEqual(asMap(kernels.wordCount(utf8.encode('a b a'))), new Map([['a', 2], ['b', 1]]));
    outOfMemory(() => kernels.aggregateDelimited(distinctOrders, { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum' }));
    const { result, malformed } = kernels.aggregateDelimited(utf8.encode('1,12,45.5\n2,12,20\n3,14,10\nbad'), { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum' });
    assert.deepEqual(asMap(result), new Map([['12', 65.5], ['14', 10]]));
    assert.equal(malformed, 1);
  }
});

test('a kernel table that runs out of memory while it grows stays a valid table of its own', () => {
  const kernels = createKernels(SMALL) as Kernels;
  const table = kernels.createTable('sum');
  assert.ok(table instanceof WasmTable);
  kernels.wordCountInto(table, utf8.encode('a b a'));
  outOfMemory(() => kernels.wordCountInto(table, distinctWords));
  // Part of the failed batch may have been counted (the table is as full as memory allows); what was there stays, and it keeps counting.
  const before = asMap(table.entries());
  assert.equal(before.get('a'), 2);
  assert.equal(before.get('b'), 1);
  assert.ok(before.size > 2, 'the failed batch had grown the table before memory ran out');
  kernels.wordCountInto(table, utf8.encode('a b a'));
  const after = asMap(table.entries());
  assert.equal(after.get('a'), 4);
  assert.equal(after.get('b'), 2);
  assert.equal(after.size, before.size);
});

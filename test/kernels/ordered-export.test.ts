import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INPUT_PADDING, MODE_FOLD, VALUE_I64, WasmKernels, allocTable, exportByOrigin, geometryFor, growTable,
} from '../../src/kernels/index.js';
import { corpusBytes } from '../../src/corpus/index.js';
import { wasmKernels } from './kernels-under-test.js';

test('partitions counted apart and merged by hash partition read back in first-occurrence order', () => {
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  const ctx = kernels.context;
  const bytes = corpusBytes('mixed', 200_000);
  const expected = kernels.wordCount(bytes);
  const input = ctx.allocator.alloc(bytes.length + INPUT_PADDING);
  ctx.instance.writeInput(input, bytes);
  // Cut at whitespace into 3 partitions; count each into a tiny table that must grow many times.
  const cuts = [0, 70_000, 140_000, bytes.length].map((at, i, all) => {
    if (i === 0 || i === all.length - 1) return at;
    while (bytes[at] !== 0x20 && bytes[at] !== 0x0a) at++;
    return at;
  });
  const partials: number[] = [];
  for (let p = 0; p < 3; p++) {
    let t = allocTable(ctx, geometryFor(0, 0), VALUE_I64, 'sum', 7n);
    const start = cuts[p] as number;
    const len = (cuts[p + 1] as number) - start;
    let done = 0;
    while ((done += ctx.instance.wordCount(t, input + start + done, len - done)) < len) t = growTable(ctx, t);
    partials.push(t);
  }
  for (const parts of [1, 2, 3, 5]) {
    const targets: number[] = [];
    for (let part = 0; part < parts; part++) {
      let target = allocTable(ctx, geometryFor(0, 0), VALUE_I64, 'sum', 99n);
      for (const src of partials) {
        let from = 0;
        while ((from = ctx.instance.mergeTable(target, src, from, part, parts, MODE_FOLD)) < ctx.instance.header(src).arenaUsed) {
          target = growTable(ctx, target);
        }
      }
      targets.push(target);
    }
    const merged = exportByOrigin(ctx, targets);
    assert.deepEqual(merged.keys, expected.keys, `parts=${parts}`);
    assert.deepEqual([...merged.values], [...expected.values], `parts=${parts}`);
    // Listed in reverse, the first table lies above the others: their entries are listed below its arena.
    const reversed = exportByOrigin(ctx, [...targets].reverse());
    assert.ok(parts === 1 || (targets[0] as number) < (targets[parts - 1] as number));
    assert.deepEqual(reversed.keys, expected.keys, `parts=${parts}, reversed`);
    assert.deepEqual([...reversed.values], [...expected.values], `parts=${parts}, reversed`);
    for (const t of targets) ctx.allocator.release(t);
  }
  for (const t of partials) ctx.allocator.release(t);
  ctx.allocator.release(input);
});

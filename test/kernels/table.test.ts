import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AggregateTable, Kernels, KeyedValues } from '../../src/kernels/api.js';
import {
  MODE_FOLD, VALUE_F64, WasmKernels, WasmTable, allocTable, exportTable, geometryFor, growTable, reserveTable,
} from '../../src/kernels/index.js';
import { implementations, wasmKernels } from './kernels-under-test.js';
import { pairsOf } from './reference.js';
import { Prng } from './prng.js';

function kv(pairs: Array<[string, number]>): KeyedValues {
  return { keys: pairs.map((p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) };
}

function both(run: (kernels: Kernels) => unknown): void {
  const [wasm, js] = implementations().map((k) => run(k));
  assert.deepEqual(wasm, js);
}

test('fold with each reducer; entries in first-insertion order; get', () => {
  both((k) => {
    const out: Record<string, unknown> = {};
    for (const reducer of ['sum', 'count', 'min', 'max'] as const) {
      const t = k.createTable(reducer);
      t.mergeValues(kv([['b', 2], ['a', 5], ['b', -1], ['长江', 0.1]]));
      t.mergeValues(kv([['a', 1], ['c', 3], ['长江', 0.2]]));
      out[reducer] = [pairsOf(t.entries()), t.get('a'), t.get('missing'), t.size];
      t.dispose();
    }
    return out;
  });
  const t = wasmKernels().createTable('sum');
  t.mergeValues(kv([['b', 2], ['a', 5], ['b', -1]]));
  assert.deepEqual(pairsOf(t.entries()), [['b', 1], ['a', 5]]);
});

test('subtract for inverse windows, with and without dropping zeros', () => {
  both((k) => {
    const t = k.createTable('sum');
    t.mergeValues(kv([['a', 3], ['b', 2], ['c', 1]]));
    t.subtractValues(kv([['a', 1], ['b', 2]]));
    const kept = pairsOf(t.entries());
    t.subtractValues(kv([['a', 2], ['c', 1], ['new', 4]]), { dropZero: true });
    const dropped = pairsOf(t.entries());
    // A key removed and added again moves to the end, as in a Map.
    t.mergeValues(kv([['a', 9]]));
    const other = k.createTable('sum');
    other.mergeValues(kv([['b', 0], ['a', 9]]));
    t.subtractTable(other, { dropZero: true });
    return { kept, dropped, readded: pairsOf(t.entries()), size: t.size };
  });
  for (const k of implementations()) {
    assert.throws(() => k.createTable('max').subtractValues(kv([['a', 1]])), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  }
});

test('property: random operation sequences agree with the fallback (tables forced to grow and shrink)', () => {
  const keys = Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? `键${i}` : `k${i}`));
  both((k) => {
    const prng = new Prng(77);
    const trace: unknown[] = [];
    const t = k.createTable('sum');
    const other = k.createTable('sum');
    for (let step = 0; step < 300; step++) {
      const batch = kv(Array.from({ length: prng.int(40) }, () => [prng.pick(keys), prng.int(7) - 2] as [string, number]));
      const op = prng.int(5);
      if (op === 0) t.subtractValues(batch, { dropZero: prng.int(2) === 0 });
      else if (op === 1) {
        other.clear();
        other.mergeValues(batch);
        t.mergeTable(other);
      } else if (op === 2) {
        other.clear();
        other.mergeValues(batch);
        t.subtractTable(other, { dropZero: true });
      } else t.mergeValues(batch);
      if (step % 50 === 49) trace.push(pairsOf(t.entries()), pairsOf(t.top(5)));
    }
    return trace;
  });
});

test('property: keys holding newlines, non-ASCII, lone surrogates or nothing fold as their UTF-8 bytes, whether encoded in bulk or key by key', () => {
  // A lone surrogate becomes U+FFFD in UTF-8, as TextEncoder makes it; a key's bytes must never depend on its neighbours.
  const utf8 = new TextEncoder();
  const decoder = new TextDecoder();
  const asStored = (key: string): string => decoder.decode(utf8.encode(key));
  const alphabet = ['a', 'b', '\n', '长', 'é', '😀', '\ud800', '\udc00', ' ', '\r', '\0'];
  const prng = new Prng(303);
  const pool = Array.from({ length: 200 }, () => {
    let key = '';
    for (let i = prng.int(6); i > 0; i--) key += prng.pick(alphabet);
    return key;
  });
  const t = wasmKernels().createTable('sum');
  const expected = new Map<string, number>();
  for (let step = 0; step < 80; step++) {
    // Two batches in three hold no '\n' at all (the bulk path); the others mix them in (key by key).
    const withNewlines = prng.int(3) === 0;
    const keys = Array.from({ length: prng.int(400) }, () => prng.pick(pool)).filter((key) => withNewlines || !key.includes('\n'));
    const values = Float64Array.from(keys, () => prng.int(9) - 4);
    // Subtracting is not reserved up front, so new keys make the table grow midway through a batch.
    const subtract = prng.int(4) === 0;
    if (subtract) t.subtractValues({ keys, values });
    else t.mergeValues({ keys, values });
    keys.forEach((key, i) => {
      const stored = asStored(key);
      const before = expected.get(stored);
      expected.set(stored, subtract ? (before ?? 0) - (values[i] as number) : (before ?? 0) + (values[i] as number));
    });
    assert.deepEqual(pairsOf(t.entries()), [...expected], `step ${step}`);
  }
  for (const key of pool) assert.equal(t.get(key), expected.get(asStored(key)), JSON.stringify(key));
  t.dispose();
  // Thousands of new keys subtracted from a fresh table: it grows many times midway and resumes at the right key.
  const fresh = wasmKernels().createTable('sum');
  const many = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? `键${i}` : `k${i}`));
  fresh.subtractValues({ keys: many, values: Float64Array.from(many, (_, i) => i) });
  assert.deepEqual(pairsOf(fresh.entries()), many.map((key, i) => [key, 0 - i]));
  fresh.dispose();
});

test('top-K: larger values first, NaN last, ties by key in code point (UTF-8 byte) order', () => {
  const pairs: Array<[string, number]> = [['b', 5], ['a', 5], ['\uffff', 7], ['😀', 7], ['z', NaN], ['c', 9], ['d', -1], ['ab', 5]];
  both((k) => {
    const t = k.createTable('max');
    t.mergeValues(kv(pairs));
    return [pairsOf(t.top(4)), pairsOf(t.top(100)), pairsOf(t.top(0))];
  });
  const t = wasmKernels().createTable('max');
  t.mergeValues(kv(pairs));
  assert.deepEqual(pairsOf(t.top(8)), [['c', 9], ['\uffff', 7], ['😀', 7], ['a', 5], ['ab', 5], ['b', 5], ['d', -1], ['z', NaN]]);
});

test('top-K over many keys equals a full sort', () => {
  const prng = new Prng(5);
  const pairs: Array<[string, number]> = Array.from({ length: 20_000 }, (_, i) => [`k${i}`, prng.int(500)]);
  both((k) => {
    const t = k.createTable('sum');
    t.mergeValues(kv(pairs));
    return pairsOf(t.top(1000));
  });
});

test('1 million distinct keys: grow from the smallest table, merge into a same-seed target, export in bulk', () => {
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  const ctx = kernels.context;
  const N = 1_000_000;
  const keys = Array.from({ length: N }, (_, i) => `key-${i}`);
  const a = kernels.createTable('sum');
  a.mergeValues({ keys, values: new Float64Array(N).fill(1) });
  assert.equal(a.size, N);
  // Merge a half-overlapping table into a target that is near its load limit.
  const b = kernels.createTable('sum');
  b.mergeValues({ keys: keys.slice(N / 2).concat(Array.from({ length: N / 2 }, (_, i) => `new-${i}`)), values: new Float64Array(N).fill(2) });
  a.mergeTable(b);
  assert.equal(a.size, N + N / 2);
  const entries = a.entries();
  assert.equal(entries.keys.length, N + N / 2);
  assert.equal(entries.keys[0], 'key-0');
  assert.equal(entries.values[0], 1);
  assert.equal(entries.keys[N - 1], `key-${N - 1}`);
  assert.equal(entries.values[N - 1], 3);
  assert.equal(entries.keys[N + N / 2 - 1], `new-${N / 2 - 1}`);
  assert.equal(a.get('key-123'), 1);
  assert.equal(a.get(`key-${N / 2 + 5}`), 3);
  // The low-level path grows a tiny table many times without losing entries.
  let t = allocTable(ctx, geometryFor(0, 0), VALUE_F64, 'sum');
  let from = 0;
  const src = (b as WasmTable).pointer;
  let grows = 0;
  for (;;) {
    from = ctx.instance.mergeTable(t, src, from, 0, 1, MODE_FOLD);
    if (from >= ctx.instance.header(src).arenaUsed) break;
    t = growTable(ctx, t);
    grows++;
  }
  assert.ok(grows >= 15, `grew ${grows} times`);
  assert.deepEqual(exportTable(ctx, t).keys, b.entries().keys);
  ctx.allocator.release(t);
  a.dispose();
  b.dispose();
});

test('partitioned merge: n workers each merging one hash partition give the whole table exactly once', () => {
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  const ctx = kernels.context;
  const prng = new Prng(11);
  const partials: AggregateTable[] = [];
  for (let p = 0; p < 3; p++) {
    const t = kernels.createTable('sum');
    t.mergeValues(kv(Array.from({ length: 5000 }, () => [`w${prng.int(8000)}`, 1] as [string, number])));
    partials.push(t);
  }
  const whole = kernels.createTable('sum');
  for (const p of partials) whole.mergeTable(p);
  for (const parts of [1, 2, 4, 7]) {
    const merged = new Map<string, number>();
    for (let part = 0; part < parts; part++) {
      let target = allocTable(ctx, geometryFor(0, 0), VALUE_F64, 'sum');
      for (const p of partials) {
        const src = (p as WasmTable).pointer;
        target = reserveTable(ctx, target, 0, 0);
        let from = 0;
        for (;;) {
          from = ctx.instance.mergeTable(target, src, from, part, parts, MODE_FOLD);
          if (from >= ctx.instance.header(src).arenaUsed) break;
          target = growTable(ctx, target);
        }
      }
      const { keys, values } = exportTable(ctx, target);
      keys.forEach((key, i) => {
        assert.ok(!merged.has(key), `${key} in two partitions`);
        merged.set(key, values[i] as number);
      });
      ctx.allocator.release(target);
    }
    const expected = whole.entries();
    assert.equal(merged.size, expected.keys.length, `parts=${parts}`);
    expected.keys.forEach((key, i) => assert.equal(merged.get(key), expected.values[i], key));
  }
});

test('disposed tables refuse use; clear keeps the table usable', () => {
  for (const k of implementations()) {
    const t = k.createTable('sum');
    t.mergeValues(kv([['a', 1]]));
    t.clear();
    assert.equal(t.size, 0);
    t.mergeValues(kv([['b', 1]]));
    assert.deepEqual(pairsOf(t.entries()), [['b', 1]]);
    t.dispose();
    assert.throws(() => t.entries(), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  }
});

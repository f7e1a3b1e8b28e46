import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECKPOINT_FORMAT_VERSION, type CheckpointDocument, CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../src/internals.js';
import { crc32 } from '../../src/checkpoint/crc32.js';

const doc: CheckpointDocument = {
  batchIntervalMs: 1000,
  zeroTime: 5000,
  checkpointTime: 9000,
  pendingTimes: [10000, 11000],
  sources: { 'input#0': 4, files: { done: ['a.txt'], current: ['b.txt', 120] } },
  operators: {
    counts: { kind: 'updateStateByKey', state: { lastTime: 9000, entries: { keys: ['长江', 'a'], values: new Float64Array([3, 0.1]) } } },
    tricky: {
      kind: 'mapWithState',
      state: {
        values: [undefined, null, NaN, -0, Infinity, -Infinity, 12n, new Date(7), new Map<unknown, unknown>([[1, 'x'], ['k', [undefined]]]), new Set(['s']), new Uint8Array([1, 2])],
        nested: { $o: 'a key that looks like a tag', list: [[1, [2, { deep: true }]]] },
      },
    },
  },
};

test('a checkpoint round-trips every kind of state value exactly', () => {
  const bytes = encodeCheckpoint(doc);
  assert.deepStrictEqual(decodeCheckpoint(bytes), doc);
  const values = (decodeCheckpoint(bytes).operators.tricky?.state as { values: unknown[] }).values;
  assert.ok(Object.is(values[3], -0));
  assert.ok(Number.isNaN(values[2]));
});

test('the header: magic "SLCK", the format version, the body length and its CRC-32', () => {
  const bytes = encodeCheckpoint(doc);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'SLCK');
  assert.equal(view.getUint32(4, true), CHECKPOINT_FORMAT_VERSION);
  assert.equal(view.getUint32(8, true), bytes.length - 16);
  assert.equal(view.getUint32(12, true), crc32(bytes.subarray(16)));
  // Kernel-table values go to a binary blob, not into the JSON.
  const jsonLength = view.getUint32(16, true);
  const json = new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength));
  assert.match(json, /"values":\{"\$f64":0\}/);
});

test('a checkpoint from a newer format version is incompatible, with what to do', () => {
  const bytes = encodeCheckpoint(doc);
  new DataView(bytes.buffer).setUint32(4, CHECKPOINT_FORMAT_VERSION + 1, true);
  assert.throws(() => decodeCheckpoint(bytes, 'store X'), (e: unknown) => {
    const err = e as { code?: string; message: string };
    return err.code === 'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE' && /store X has format version 2.*written by a newer sluice.*empty checkpoint store/.test(err.message);
  });
});

test('corrupted payloads are ERR_SLUICE_CHECKPOINT_CORRUPT: flipped byte, truncation, wrong magic, empty', () => {
  const good = encodeCheckpoint(doc);
  const cases: [string, Uint8Array][] = [];
  for (const offset of [16, 30, Math.floor(good.length / 2), good.length - 1]) {
    const flipped = good.slice();
    flipped[offset] = (flipped[offset] as number) ^ 0x20;
    cases.push([`byte ${offset} flipped`, flipped]);
  }
  cases.push(['truncated', good.subarray(0, good.length - 3)], ['no header', good.subarray(0, 10)], ['empty', new Uint8Array(0)]);
  const wrongMagic = good.slice();
  wrongMagic[0] = 0;
  cases.push(['wrong magic', wrongMagic]);
  for (const [label, bytes] of cases) {
    assert.throws(() => decodeCheckpoint(bytes), (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_CORRUPT' && /corrupt/.test((e as Error).message), label);
  }
});

test('a well-formed container with a malformed document is corrupt, not a crash', () => {
  const bytes = encodeCheckpoint(doc);
  const view = new DataView(bytes.buffer);
  const jsonLength = view.getUint32(16, true);
  const text = new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)).replace('"zeroTime":5000', '"zeroTime":"ab"');
  bytes.set(new TextEncoder().encode(text), 20);
  view.setUint32(12, crc32(bytes.subarray(16)), true);
  assert.throws(() => decodeCheckpoint(bytes), (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_CORRUPT' && /zeroTime/.test((e as Error).message));
});

test('state that is not data (a function, a class instance) is refused at write time, naming the operator', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  for (const [bad, what] of [[() => 1, 'a function'], [new Point(1), 'an instance of Point'], [Symbol('s'), 'a symbol']] as const) {
    assert.throws(
      () => encodeCheckpoint({ ...doc, operators: { counts: { kind: 'updateStateByKey', state: { entries: [['k', bad]] } } } }),
      (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_UNSERIALIZABLE' && (e as Error).message.includes(`the state of operator 'counts'.entries[0][1] to a checkpoint: it holds ${what}.`),
    );
  }
});

test('state that refers to itself or nests too deeply is refused at write time with what to do, not a bare stack overflow', () => {
  const cyclic: Record<string, unknown> = { count: 1 };
  cyclic.self = cyclic;
  let deep: unknown = null;
  for (let i = 0; i < 100_000; i++) deep = { next: deep };
  for (const state of [cyclic, deep]) {
    assert.throws(
      () => encodeCheckpoint({ ...doc, operators: { chain: { kind: 'updateStateByKey', state } } }),
      (e: unknown) => e instanceof CheckpointError && e.code === 'ERR_SLUICE_CHECKPOINT_UNSERIALIZABLE' && e.cause instanceof RangeError &&
        e.message.startsWith("Cannot write the state of operator 'chain' to a checkpoint") && e.message.includes('must not refer to itself'),
    );
  }
});

test('batch times that recovery would generate must lie on the batch grid, after the checkpoint, ascending', () => {
  const bad: Partial<CheckpointDocument>[] = [
    { checkpointTime: 9500 },
    { checkpointTime: 4000 },
    { pendingTimes: [10000, 10000] },
    { pendingTimes: [11000, 10000] },
    { pendingTimes: [9000] },
    { pendingTimes: [10500] },
    { batchIntervalMs: 0 },
  ];
  for (const change of bad) {
    assert.throws(() => decodeCheckpoint(encodeCheckpoint({ ...doc, ...change })), { code: 'ERR_SLUICE_CHECKPOINT_CORRUPT' }, JSON.stringify(change));
  }
  assert.deepEqual(decodeCheckpoint(encodeCheckpoint({ ...doc, checkpointTime: 5000, pendingTimes: [7000, 12000] })).pendingTimes, [7000, 12000]);
});

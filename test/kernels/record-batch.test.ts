import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RecordBatchBuilder,
  RECORD_BATCH_PADDING,
  decodeRecords,
  emptyRecordBatch,
  lendsInputRegions,
  recordAt,
  recordBatchFromLines,
} from '../../src/kernels/record-batch.js';
import type { InputRegionSource, RecordBatch } from '../../src/kernels/api.js';
import { KernelError } from '../../src/errors.js';
import { Prng } from './prng.js';

const utf8 = new TextEncoder();

function assertWellFormed(batch: RecordBatch): void {
  assert.equal(batch.ends.length, batch.count);
  const last = batch.count === 0 ? -1 : (batch.ends[batch.count - 1] as number);
  assert.equal(batch.data.length, last + 1);
  for (let i = 0; i < batch.count; i++) assert.equal(batch.data[batch.ends[i] as number], 10);
  const backing = new Uint8Array(batch.data.buffer, batch.data.byteOffset, batch.data.length + RECORD_BATCH_PADDING);
  for (let i = batch.data.length; i < backing.length; i++) assert.equal(backing[i], 0, `padding byte ${i}`);
}

test('strings and bytes become newline-terminated records', () => {
  const batch = recordBatchFromLines(['hello world', utf8.encode('长江 黄河'), '', 'x']);
  assertWellFormed(batch);
  assert.equal(batch.count, 4);
  assert.deepEqual(decodeRecords(batch), ['hello world', '长江 黄河', '', 'x']);
  assert.deepEqual(recordAt(batch, 1), utf8.encode('长江 黄河'));
  assert.equal(recordAt(batch, 2).length, 0);
  assert.throws(() => recordAt(batch, 4), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

test('records holding newlines are split into lines; a final newline ends the last line', () => {
  const cases: Array<[string, string[]]> = [
    ['a\nb', ['a', 'b']],
    ['a\n', ['a']],
    ['a\n\nb', ['a', '', 'b']],
    ['\n', ['']],
    ['', ['']],
    ['\n\n', ['', '']],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(decodeRecords(recordBatchFromLines([input])), expected, JSON.stringify(input));
    assert.deepEqual(decodeRecords(recordBatchFromLines([utf8.encode(input)])), expected, `bytes ${JSON.stringify(input)}`);
  }
});

test('over-long records are dropped and counted, by UTF-8 length', () => {
  const builder = new RecordBatchBuilder({ maxRecordBytes: 4 });
  builder.append('abcd');
  builder.append('abcde');
  builder.append('长江'); // 6 bytes in UTF-8, 2 UTF-16 units
  builder.append(utf8.encode('12345'));
  builder.append('ok\ntoo long\nfine');
  assert.equal(builder.droppedTooLong, 4);
  const batch = builder.build();
  assertWellFormed(batch);
  assert.deepEqual(decodeRecords(batch), ['abcd', 'ok', 'fine']);
  assert.equal(builder.droppedTooLong, 0, 'build() resets the counter');
  assert.equal(builder.count, 0);
});

test('the builder grows from tiny capacities and keeps every record', () => {
  const prng = new Prng(7);
  const builder = new RecordBatchBuilder({ initialBytes: 1, initialRecords: 1 });
  const expected: string[] = [];
  const alphabet = ['a', 'é', '长', '😀', ' ', '\t', 'z'];
  for (let i = 0; i < 5000; i++) {
    let line = '';
    const n = prng.int(30);
    for (let j = 0; j < n; j++) line += prng.pick(alphabet);
    expected.push(line);
    builder.append(prng.int(2) === 0 ? line : utf8.encode(line));
  }
  const batch = builder.build();
  assertWellFormed(batch);
  assert.equal(batch.count, 5000);
  assert.deepEqual(decodeRecords(batch), expected);
  for (let i = 0; i < 50; i++) {
    const k = prng.int(5000);
    assert.deepEqual(recordAt(batch, k), utf8.encode(expected[k] as string));
  }
});

test('invalid UTF-8 never merges records when decoding', () => {
  const batch = recordBatchFromLines([new Uint8Array([0xe9, 0x95]), new Uint8Array([0xff]), 'ok']);
  assertWellFormed(batch);
  assert.deepEqual(decodeRecords(batch), ['\ufffd', '\ufffd', 'ok']);
});

test('a builder is reusable after build() and batches do not share arenas', () => {
  const builder = new RecordBatchBuilder();
  builder.append('first');
  const a = builder.build();
  builder.append('second');
  const b = builder.build();
  assert.deepEqual(decodeRecords(a), ['first']);
  assert.deepEqual(decodeRecords(b), ['second']);
  assert.notEqual(a.data.buffer, b.data.buffer);
});

test('the empty batch is padded too', () => {
  const batch = emptyRecordBatch();
  assertWellFormed(batch);
  assert.deepEqual(decodeRecords(batch), []);
  assertWellFormed(new RecordBatchBuilder().build());
});

/** Random bytes rich in '\n' (and short lines), at a random offset of a bigger buffer so word alignment varies. */
function randomRun(prng: Prng, maxLength: number): Uint8Array {
  const length = prng.int(maxLength + 1);
  const offset = prng.int(8);
  const backing = new Uint8Array(offset + length + prng.int(8));
  const newlineOdds = prng.pick([0, 0.02, 0.2, 0.9]);
  for (let i = 0; i < length; i++) backing[offset + i] = prng.next() < newlineOdds ? 10 : prng.pick([32, 97, 0xe9, 0x0a ^ 0x80, 0x8a, 0x0b, 0x09, 0]);
  return backing.subarray(offset, offset + length);
}

/** What append(run) must give: each line of the run appended on its own (the final '\n' ends the last line). */
function appendLineByLine(builder: RecordBatchBuilder, run: Uint8Array): void {
  let start = 0;
  for (;;) {
    const nl = run.indexOf(10, start);
    builder.append(run.subarray(start, nl === -1 ? run.length : nl));
    if (nl === -1 || nl + 1 === run.length) return;
    start = nl + 1;
  }
}

test('property: runs of lines appended at once give byte-identical batches to line-by-line appends', () => {
  const prng = new Prng(2026);
  for (let round = 0; round < 300; round++) {
    const maxRecordBytes = prng.pick([8, 64, 1 << 20]);
    const options = { maxRecordBytes, initialBytes: 64, initialRecords: 16 };
    const bulk = new RecordBatchBuilder(options);
    const single = new RecordBatchBuilder(options);
    for (let i = prng.int(12); i > 0; i--) {
      const run = randomRun(prng, prng.pick([0, 3, 40, 300, 5000]));
      bulk.append(run);
      appendLineByLine(single, run);
      if (prng.next() < 0.2) {
        bulk.append('string 长江');
        single.append('string 长江');
      }
    }
    assert.equal(bulk.droppedTooLong, single.droppedTooLong, `round ${round}`);
    const a = bulk.build();
    const b = single.build();
    assertWellFormed(a);
    assert.equal(a.count, b.count, `round ${round}`);
    assert.deepEqual(a.data, b.data, `round ${round}`);
    assert.deepEqual(a.ends, b.ends, `round ${round}`);
  }
});

test('with lent memory the arena is an InputRegion: taken on first use, grown ones given back, the batch carries its own', () => {
  const lent = new Map<number, { size: number; released: number }>();
  let next = 0;
  const regions: InputRegionSource = {
    allocInput(byteLength) {
      const record = { size: byteLength, released: 0 };
      lent.set(next++, record);
      return { bytes: new Uint8Array(byteLength + RECORD_BATCH_PADDING).subarray(0, byteLength), release: () => void record.released++ };
    },
  };
  const live = (): number[] => [...lent.entries()].filter(([, r]) => r.released === 0).map(([id]) => id);
  const builder = new RecordBatchBuilder({ regions, initialBytes: 64 });
  assert.equal(next, 0, 'an idle builder holds no lent memory');
  assert.equal(builder.build().region, undefined, 'nor does an empty batch');
  assert.equal(next, 0);
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}`);
  builder.appendAll(lines);
  const batch = builder.build();
  assertWellFormed(batch);
  assert.deepEqual(decodeRecords(batch), lines);
  assert.ok(batch.region !== undefined);
  assert.equal(batch.data.buffer, batch.region.bytes.buffer, 'the bytes are in the region');
  // Every region outgrown was released once; only the batch's own is live.
  assert.deepEqual(live(), [next - 1]);
  for (const [id, r] of lent) if (id !== next - 1) assert.equal(r.released, 1, `region ${id}`);
  // The next batch's arena starts at the last batch's size: the same batch again is not copied while growing.
  const allocated = next;
  builder.appendAll(lines);
  const second = builder.build();
  assert.deepEqual(decodeRecords(second), lines);
  assert.equal(next - allocated, 1, 'one region for the same batch again');
  assert.ok((lent.get(next - 1) as { size: number }).size >= second.data.length + RECORD_BATCH_PADDING);
  batch.region.release();
  builder.append('held');
  builder.dispose();
  assert.deepEqual(live(), [next - 2], 'only the second batch holds memory');
  assert.throws(() => builder.append('after dispose'), { code: 'ERR_SLUICE_ILLEGAL_STATE' });
  assert.equal(lendsInputRegions(regions), true);
  assert.equal(lendsInputRegions({ wordCount: () => undefined }), false);
});

test('when the kernels cannot lend more memory, the builder goes on in plain memory and loses nothing', () => {
  let lends = 0;
  let released = 0;
  const regions: InputRegionSource = {
    allocInput(byteLength) {
      if (lends++ >= 2) throw new KernelError('ERR_SLUICE_KERNEL_MEMORY', 'kernel memory is at its maximum');
      return { bytes: new Uint8Array(byteLength + RECORD_BATCH_PADDING).subarray(0, byteLength), release: () => void released++ };
    },
  };
  const builder = new RecordBatchBuilder({ regions, initialBytes: 64 });
  const lines = Array.from({ length: 100 }, (_, i) => `record ${i}`);
  builder.appendAll(lines);
  const batch = builder.build();
  assertWellFormed(batch);
  assert.deepEqual(decodeRecords(batch), lines);
  assert.equal(batch.region, undefined, 'the batch ended in plain memory');
  assert.equal(released, 2, 'both lent arenas it outgrew were given back');
  const failing: InputRegionSource = { allocInput: () => { throw new TypeError('a bug, not a shortage'); } };
  assert.throws(() => new RecordBatchBuilder({ regions: failing }).append('x'), TypeError);
});

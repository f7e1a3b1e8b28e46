import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameRecords } from '../../../src/node/serve/frame-records.js';
import { isUtf8 } from 'node:buffer';
import { RecordBatchBuilder } from '../../../src/kernels/record-batch.js';
import { LineSplitter } from '../../../src/receivers/line-splitter.js';

/** The records the engine's block buffer makes of a frame's payload. */
function stored(payload: Uint8Array): string[] {
  if (payload.length === 0) return [];
  const builder = new RecordBatchBuilder();
  builder.append(payload);
  const batch = builder.build();
  const out: string[] = [];
  let start = 0;
  for (const end of batch.ends) {
    out.push(Buffer.from(batch.data.subarray(start, end)).toString());
    start = end + 1;
  }
  return out;
}

const cases: [string, string | Buffer, string[], number, number][] = [
  ['empty frame', '', [], 0, 0],
  ['one line without newline', 'a b', ['a b'], 1, 0],
  ['final newline ends the last line', 'a\nb\n', ['a', 'b'], 2, 0],
  ['empty lines are records', 'a\n\nb', ['a', '', 'b'], 3, 0],
  ['a lone newline is one empty record', '\n', [''], 1, 0],
  ['\\r\\n and lone \\r end lines, as over TCP', 'a\r\nb\rc', ['a', 'b', 'c'], 3, 0],
  ['invalid UTF-8 lines of a binary frame are kept, read with U+FFFD as over TCP', Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xff, 0x0a]), Buffer.from('也好')]), ['ok', '\ufffd', '也好'], 3, 0],
  ['invalid UTF-8 in a frame that needs splitting is kept too', Buffer.concat([Buffer.from('ok\r\n'), Buffer.from([0x61, 0xe9, 0x0a]), Buffer.from('x'.repeat(20))]), ['ok', 'a\ufffd'], 3, 1],
  ['over-long lines are dropped', `${'x'.repeat(20)}\nshort\n`, ['short'], 2, 1],
];

for (const [name, frame, records, count, dropped] of cases) {
  test(`frameRecords: ${name}`, () => {
    const input = typeof frame === 'string' ? Buffer.from(frame) : frame;
    const result = frameRecords(input, 10, true);
    assert.deepEqual(stored(result.payload), records);
    assert.equal(result.records, count);
    assert.equal(result.dropped, dropped);
  });
}

test('frameRecords: a plain frame is stored without a copy', () => {
  const frame = Buffer.from('one\ntwo\n');
  assert.equal(frameRecords(frame, 100, true).payload, frame);
});

test('frameRecords counts the records of a binary frame that are not valid UTF-8, and none of a text frame (ws validated it)', () => {
  const frame = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xff, 0x0a, 0x61, 0xe9]), Buffer.from('\n\n')]);
  assert.equal(frameRecords(frame, 100, true).invalidUtf8, 2);
  assert.equal(frameRecords(Buffer.from([0x61, 0xe9, 0x0d, 0x0a, 0xff]), 100, true).invalidUtf8, 2);
  assert.equal(frameRecords(Buffer.from('ok\nfine'), 100, true).invalidUtf8, 0);
  assert.equal(frameRecords(frame, 100, false).invalidUtf8, 0);
});

/** The records LineSplitter reads from a frame with no line limit, and how many are not valid UTF-8: what frameRecords must give. */
function splitterRecords(frame: Uint8Array): { lines: string[]; invalidUtf8: number } {
  const lines: string[] = [];
  let invalidUtf8 = 0;
  const splitter = new LineSplitter((line) => {
    lines.push(Buffer.from(line).toString());
    if (!isUtf8(line)) invalidUtf8++;
  }, { maxLineBytes: 1 << 20 });
  splitter.push(frame);
  splitter.flush();
  return { lines, invalidUtf8 };
}

test('frameRecords: frames with \\r line ends give exactly the line splitter\'s records (random frames of \\r, \\n, text and invalid UTF-8)', () => {
  const alphabet = [0x0d, 0x0d, 0x0a, 0x0a, 0x61, 0x20, 0xe4, 0xb9, 0x9f, 0xff];
  let seed = 12345;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let round = 0; round < 2000; round++) {
    const frame = Buffer.from(Array.from({ length: 1 + next(40) }, () => alphabet[next(alphabet.length)] as number));
    const expected = splitterRecords(frame);
    const got = frameRecords(frame, frame.length, true);
    assert.deepEqual(stored(got.payload), expected.lines, `frame ${frame.toString('hex')}`);
    assert.equal(got.records, expected.lines.length, `frame ${frame.toString('hex')}`);
    assert.equal(got.invalidUtf8, expected.invalidUtf8, `frame ${frame.toString('hex')}`);
    assert.equal(got.dropped, 0);
  }
});

test('frameRecords: a 1 MiB frame of lone \\r is a million empty records in one copy, not a line at a time', () => {
  const frame = Buffer.alloc(1 << 20, 0x0d);
  const got = frameRecords(frame, 1 << 20, true);
  assert.equal(got.records, 1 << 20);
  assert.equal(got.payload.length, 1 << 20);
  assert.ok(got.payload.every((byte) => byte === 0x0a));
});

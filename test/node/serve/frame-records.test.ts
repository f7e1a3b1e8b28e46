import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameRecords } from '../../../src/node/serve/frame-records.js';
import { RecordBatchBuilder } from '../../../src/kernels/record-batch.js';

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

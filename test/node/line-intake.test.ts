/**
 * LineIntake under a rate limit: lines beyond the allowance wait as runs
 * (stored a run at a time, never line by line), in order, each exactly
 * once, with committedBytes just past the last line stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIntake } from '../../src/node/line-intake.js';
import { Receiver, type ReceiverHost } from '../../src/receivers/receiver.js';

class Recorded extends Receiver {
  onStart(): void {}
  onStop(): void {}
}

/** A receiver whose host records every store call: each call's lines, as strings. */
function recordingReceiver(): { receiver: Receiver; calls: string[][]; errors: string[] } {
  const calls: string[][] = [];
  const errors: string[] = [];
  const host: ReceiverHost = {
    storeRecord: (record) => {
      const text = typeof record === 'string' ? record : new TextDecoder().decode(record);
      calls.push(text.endsWith('\n') ? text.slice(0, -1).split('\n') : [text]);
    },
    restart: () => undefined,
    reportError: (_receiver, message) => void errors.push(message),
    isStopped: () => false,
  };
  const receiver = new Recorded();
  receiver.attach(host);
  return { receiver, calls, errors };
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('rate-limited lines wait as runs and are stored a run at a time, in order, each once; committedBytes follows what was stored', async () => {
  const { receiver, calls } = recordingReceiver();
  // 2,000 lines/s: a burst of 200 lines, then 2 lines per millisecond.
  const intake = new LineIntake(receiver, 'test', { maxRatePerSecond: 2000 });
  let pauses = 0;
  let resumes = 0;
  intake.setFlowControl({ pause: () => pauses++, resume: () => resumes++ });
  const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(i % 7)}`);
  const chunks = [lines.slice(0, 600), lines.slice(600)].map((part) => encoder.encode(part.map((l) => `${l}\n`).join('')));
  for (const chunk of chunks) intake.push(chunk);
  // The burst went at once, in one call; the rest waits.
  assert.deepEqual(calls, [lines.slice(0, 200)]);
  assert.equal(intake.queuedLines, 800);
  assert.equal(intake.committedBytes, encoder.encode(lines.slice(0, 200).map((l) => `${l}\n`).join('')).length);
  assert.equal(pauses, 1);
  await sleep(60);
  const storedSoFar = calls.flat().length;
  assert.ok(storedSoFar > 200 && storedSoFar < 1000, `${storedSoFar} lines stored after 60 ms`);
  assert.equal(intake.committedBytes, encoder.encode(calls.flat().map((l) => `${l}\n`).join('')).length);
  intake.storeQueued();
  assert.deepEqual(calls.flat(), lines, 'every line once, in order');
  assert.equal(intake.queuedLines, 0);
  assert.equal(intake.committedBytes, chunks[0]!.length + chunks[1]!.length);
  // Runs, not lines: a call per drain step at most (about one per millisecond here), far fewer than lines.
  assert.ok(calls.length < 150, `${calls.length} store calls for 1,000 lines`);
  assert.equal(intake.stats.linesStored, 1000);
  intake.clear();
  assert.equal(resumes, 0, 'storeQueued stores without reading more');
});

test("with invalidUtf8: 'drop', a queued run holding a line that is not valid UTF-8 drops that line only", () => {
  const { receiver, calls, errors } = recordingReceiver();
  const intake = new LineIntake(receiver, 'test', { maxRatePerSecond: 10, invalidUtf8: 'drop' });
  const bytes = new Uint8Array([...encoder.encode('a\nb\n'), 0xff, 0x0a, ...encoder.encode('c\nd\n')]);
  intake.push(bytes);
  // Burst of one line: 'a' at once; b, the bad line, c and d queued as one run.
  assert.deepEqual(calls, [['a']]);
  assert.equal(intake.queuedLines, 4);
  intake.storeQueued();
  assert.deepEqual(calls.flat(), ['a', 'b', 'c', 'd']);
  assert.equal(intake.stats.invalidUtf8LinesDropped, 1);
  assert.equal(errors.length, 1);
  assert.equal(intake.committedBytes, bytes.length);
  intake.clear();
});

test('by default a line that is not valid UTF-8 is stored (run or single line) and counted once, not dropped', () => {
  const { receiver, calls, errors } = recordingReceiver();
  const intake = new LineIntake(receiver, 'test');
  // One run of three lines (the middle one ill-formed), then an ill-formed line split over two chunks.
  intake.push(new Uint8Array([...encoder.encode('a\n'), 0xff, 0x0a, ...encoder.encode('b\nx')]));
  intake.push(new Uint8Array([0xe9, 0x0a]));
  assert.deepEqual(calls.flat(), ['a', '\ufffd', 'b', 'x\ufffd']);
  assert.equal(intake.stats.invalidUtf8LinesKept, 2);
  assert.equal(intake.stats.invalidUtf8LinesDropped, 0);
  assert.equal(intake.stats.linesStored, 4);
  intake.reportPending();
  assert.match(errors.join('\n'), /Kept 1 line that is not valid UTF-8 from test \(1 so far\)/);
  assert.match(errors.join('\n'), /Kept 1 line .*\(2 so far\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TextFileReceiver, isIgnoredFileName, type TextFilePosition } from '../../src/node/text-file-receiver.js';
import { Rng } from '../../src/corpus/prng.js';
import { FakeReceiverHost, waitFor } from './fake-receiver-host.js';
import { tempDir } from './temp-dir.js';
import { InMemoryCheckpointStore, ManualClock, StreamingContext } from '../../src/index.js';
import { encodeCheckpoint } from '../../src/internals.js';
import { textFileStream } from '../../src/node/streams.js';
import type { ReceiverInputDStream } from '../../src/stream/receiver-input-dstream.js';

const fastPoll = { pollIntervalMs: 10 };

/** Writes under an ignored name, then renames into place: the documented convention. */
async function drop(dir: string, name: string, content: string | Uint8Array, mtimeSeconds?: number): Promise<void> {
  const hidden = join(dir, `.${name}`);
  await writeFile(hidden, content);
  if (mtimeSeconds !== undefined) await utimes(hidden, mtimeSeconds, mtimeSeconds);
  await rename(hidden, join(dir, name));
}

/** Starts a second receiver from `position` and returns the lines it stores until the file is read. */
async function resumeFrom(dir: string, position: TextFilePosition, options: ConstructorParameters<typeof TextFileReceiver>[1]): Promise<{ lines: string[]; receiver: TextFileReceiver }> {
  const receiver = new TextFileReceiver(dir, options);
  receiver.restorePosition(position);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.filesRead === 1, 'the rest of the file', 20_000);
  host.stop();
  return { lines: host.lines(), receiver };
}

function numberedLines(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += `line ${i}\n`;
  return text;
}

test('ignored names follow the atomic-rename convention', () => {
  for (const name of ['.hidden', '_SUCCESS', 'a.tmp', 'a.csv._COPYING_']) assert.equal(isIgnoredFileName(name), true, name);
  for (const name of ['a.txt', 'orders.csv', 'x']) assert.equal(isIgnoredFileName(name), false, name);
});

test('only files that appear after start are read, oldest first, each once', async () => {
  const dir = await tempDir('dir');
  await writeFile(join(dir.path, 'before.txt'), 'existing\n');
  const receiver = new TextFileReceiver(dir.path, fastPoll);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.scans >= 1, 'the first scan');
  assert.deepEqual(receiver.checkpointPosition().done, ['before.txt']);
  await drop(dir.path, 'b.txt', 'b1\nb2\n', 2000);
  await drop(dir.path, 'a.txt', 'a1\r\na2', 1000);
  await writeFile(join(dir.path, 'ignored.tmp'), 'never\n');
  await mkdir(join(dir.path, 'subdir'));
  await writeFile(join(dir.path, 'subdir', 'nested.txt'), 'never\n');
  await waitFor(() => receiver.stats.filesRead === 2, 'two new files');
  // One more poll cycle must not read anything again.
  const before = host.records.length;
  await drop(dir.path, 'c.txt', 'c1\n', 3000);
  await waitFor(() => receiver.stats.filesRead === 3, 'the third file');
  host.stop();
  await dir.cleanup();
  assert.equal(before, 4);
  const lines = host.lines();
  assert.deepEqual(lines.slice(0, 4).sort(), ['a1', 'a2', 'b1', 'b2']);
  assert.deepEqual(lines.slice(4), ['c1']);
  assert.deepEqual([...receiver.checkpointPosition().done].sort(), ['a.txt', 'b.txt', 'before.txt', 'c.txt']);
});

test('files already arrived together are read in modification-time order', async () => {
  const dir = await tempDir('dir');
  await drop(dir.path, 'z.txt', 'first\n', 1000);
  await drop(dir.path, 'a.txt', 'second\n', 2000);
  const receiver = new TextFileReceiver(dir.path, { ...fastPoll, includeExisting: true });
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.filesRead === 2, 'both files');
  host.stop();
  await dir.cleanup();
  assert.deepEqual(host.lines(), ['first', 'second']);
});

test('bad files are skipped or trimmed with a message, good data around them survives', async () => {
  const dir = await tempDir('dir');
  const receiver = new TextFileReceiver(dir.path, { ...fastPoll, maxLineBytes: 1 << 20, invalidUtf8: 'drop' });
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.scans >= 1, 'the first scan');
  const rng = new Rng(5);
  const garbage = new Uint8Array(200_000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = rng.nextInt(256);
  await drop(dir.path, '1-empty.txt', '', 1000);
  await drop(dir.path, '2-garbage.bin', garbage, 2000);
  await drop(dir.path, '3-good.txt', 'good one\n', 3000);
  await drop(dir.path, '4-huge.txt', 'x'.repeat(10 * 1024 * 1024) + '\nafter huge\n', 4000);
  await drop(dir.path, '5-bad-utf8.txt', Buffer.concat([Buffer.from('valid 长江\n'), Buffer.from([0xe9, 0x95, 0x0a]), Buffer.from('valid again\n')]), 5000);
  await waitFor(() => receiver.stats.filesRead + receiver.stats.filesSkipped === 5, 'all five files', 10_000);
  host.stop();
  await dir.cleanup();
  const lines = host.lines();
  for (const good of ['good one', 'after huge', 'valid 长江', 'valid again']) assert.ok(lines.includes(good), good);
  assert.ok(!lines.some((l) => l.includes('\ufffd')), 'no invalid UTF-8 reached the engine');
  const stats = receiver.stats;
  assert.equal(stats.filesSkipped, 1);
  assert.equal(stats.filesRead, 4);
  assert.equal(stats.oversizeLinesDropped, 1);
  assert.ok(stats.invalidUtf8LinesDropped >= 2, `${stats.invalidUtf8LinesDropped} invalid lines`);
  const messages = host.errors.map((e) => e.message).join('\n');
  assert.match(messages, /Skipped file .*1-empty\.txt: it is empty\./);
  assert.match(messages, /Dropped 1 line longer than 1048576 bytes from file .*4-huge\.txt/);
  assert.match(messages, /not valid UTF-8 from file .*2-garbage\.bin/);
});

test('a file whose name is not valid UTF-8 is reported (once) and skipped, not passed over in silence at every scan; renamed, it is read', async () => {
  const dir = await tempDir('dir');
  const receiver = new TextFileReceiver(dir.path, fastPoll);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.scans >= 1, 'the first scan');
  const badName = Buffer.concat([Buffer.from(dir.path + '/bad'), Buffer.from([0xff]), Buffer.from('.txt')]);
  await writeFile(join(dir.path, '.bad'), 'in the badly named file\n');
  await rename(join(dir.path, '.bad'), badName);
  await drop(dir.path, 'good.txt', 'good line\n');
  await waitFor(() => receiver.stats.filesRead === 1 && receiver.stats.filesSkipped === 1, 'the good file read and the badly named one skipped');
  const scans = receiver.stats.scans;
  await waitFor(() => receiver.stats.scans >= scans + 3, 'three more scans');
  assert.equal(host.errors.filter((e) => /name is not valid UTF-8/.test(e.message)).length, 1, 'reported once');
  assert.match(host.errors.map((e) => e.message).join('\n'), /Skipped file .*bad\ufffd\.txt: its name is not valid UTF-8.*rename it/);
  await rename(badName, join(dir.path, 'renamed.txt'));
  await waitFor(() => receiver.stats.filesRead === 2, 'the renamed file');
  host.stop();
  await dir.cleanup();
  assert.deepEqual(host.lines(), ['good line', 'in the badly named file']);
});

test('a file deleted before it is opened is skipped; one deleted while read is read to the end', async () => {
  const dir = await tempDir('dir');
  const receiver = new TextFileReceiver(dir.path, { ...fastPoll, chunkBytes: 256 });
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.scans >= 1, 'the first scan');
  const big = numberedLines(0, 50_000);
  // Both appear in one scan; the slow first file gives time to delete the second.
  await writeFile(join(dir.path, '.b.txt'), 'never read\n');
  await utimes(join(dir.path, '.b.txt'), 2000, 2000);
  await writeFile(join(dir.path, '.a.txt'), big);
  await utimes(join(dir.path, '.a.txt'), 1000, 1000);
  await rename(join(dir.path, '.b.txt'), join(dir.path, 'b.txt'));
  await rename(join(dir.path, '.a.txt'), join(dir.path, 'a.txt'));
  await waitFor(() => host.records.length > 0, 'the first lines of a.txt');
  await unlink(join(dir.path, 'b.txt'));
  await unlink(join(dir.path, 'a.txt'));
  await waitFor(() => receiver.stats.filesRead + receiver.stats.filesSkipped === 2, 'both files handled', 20_000);
  host.stop();
  await dir.cleanup();
  assert.equal(host.records.length, 50_000);
  assert.equal(host.lines()[49_999], 'line 49999');
  assert.match(host.errors.map((e) => e.message).join('\n'), /Skipped file .*b\.txt: it was deleted before it could be read\./);
});

test('a stop in the middle of a file resumes from its position without losing or repeating a line', async () => {
  const dir = await tempDir('dir');
  const content = numberedLines(0, 20_000);
  const first = new TextFileReceiver(dir.path, { ...fastPoll, chunkBytes: 100 });
  const firstHost = new FakeReceiverHost(first);
  firstHost.start();
  await waitFor(() => first.stats.scans >= 1, 'the first scan');
  await drop(dir.path, 'big.txt', content);
  await waitFor(() => firstHost.records.length > 100, 'some lines');
  firstHost.stop();
  const position = JSON.parse(JSON.stringify(first.checkpointPosition())) as TextFilePosition;
  assert.equal(position.current?.name, 'big.txt');
  assert.ok(firstHost.records.length < 20_000, 'stopped mid-file');

  const second = await resumeFrom(dir.path, position, { ...fastPoll, chunkBytes: 100 });
  await dir.cleanup();
  assert.deepEqual([...firstHost.lines(), ...second.lines], content.trimEnd().split('\n'));
  assert.deepEqual(second.receiver.checkpointPosition(), { done: ['big.txt'] });
});

test('a rate limit holds lines back, and a stop while they wait loses and repeats nothing', async () => {
  const dir = await tempDir('dir');
  const content = numberedLines(0, 3000);
  const options = { ...fastPoll, maxRatePerSecond: 4000 };
  const first = new TextFileReceiver(dir.path, options);
  const firstHost = new FakeReceiverHost(first);
  firstHost.start();
  await waitFor(() => first.stats.scans >= 1, 'the first scan');
  await drop(dir.path, 'big.txt', content);
  // The whole file is one 64 KiB read, far more than the burst: the rest must wait in the queue.
  await waitFor(() => firstHost.records.length > 0, 'the first lines');
  assert.ok(firstHost.records.length < 3000, 'not everything at once');
  firstHost.stop();
  // The lines read but held back are stored at stop (the final flush), and the position says so.
  assert.equal(firstHost.records.length, 3000);
  const position = first.checkpointPosition();
  assert.deepEqual(position.current, { name: 'big.txt', offset: content.length });

  const second = await resumeFrom(dir.path, position, options);
  await dir.cleanup();
  assert.deepEqual([...firstHost.lines(), ...second.lines], content.trimEnd().split('\n'));
  assert.equal(second.receiver.maxRatePerSecond, 4000);
});

test('names of deleted files are forgotten, so a later file with the same name is read', async () => {
  const dir = await tempDir('dir');
  const receiver = new TextFileReceiver(dir.path, fastPoll);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.scans >= 1, 'the first scan');
  await drop(dir.path, 'daily.txt', 'monday\n');
  await waitFor(() => receiver.stats.filesRead === 1, 'the first daily.txt');
  await unlink(join(dir.path, 'daily.txt'));
  const scans = receiver.stats.scans;
  await waitFor(() => receiver.stats.scans > scans + 1, 'a scan without the file');
  assert.deepEqual(receiver.checkpointPosition().done, []);
  await drop(dir.path, 'daily.txt', 'tuesday\n');
  await waitFor(() => receiver.stats.filesRead === 2, 'the second daily.txt');
  host.stop();
  await dir.cleanup();
  assert.deepEqual(host.lines(), ['monday', 'tuesday']);
});

test('reading waits while the engine buffer is full and goes on as batches complete; every line once', async () => {
  const dir = await tempDir('dir');
  const content = numberedLines(0, 40_000);
  const budget = 32 * 1024;
  const chunkBytes = 4096;
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, receiverBufferBytes: budget });
  const receiver = new TextFileReceiver(dir.path, { ...fastPoll, chunkBytes });
  const stream = ssc.receiverStream(receiver) as ReceiverInputDStream;
  const got: string[] = [];
  stream.foreachRDD((batch) => {
    for (const line of batch.collect()) got.push(line);
  });
  try {
    ssc.start();
    await waitFor(() => receiver.stats.scans >= 1, 'the first scan');
    await drop(dir.path, 'big.txt', content);
    await waitFor(() => receiver.isBufferFull(), 'the buffer to fill');
    // No batch runs while the clock stands still: reading stays stopped.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(receiver.stats.bytesRead <= budget + chunkBytes, `${receiver.stats.bytesRead} bytes read with a ${budget}-byte budget`);
    while (receiver.stats.filesRead === 0 || got.length < 40_000) {
      await clock.advance(1000);
      await waitFor(() => receiver.isBufferFull() || receiver.stats.filesRead === 1, 'reading to go on');
    }
  } finally {
    await ssc.stop();
    await dir.cleanup();
  }
  assert.deepEqual(got, content.trimEnd().split('\n'));
  assert.ok(stream.supervisor.bufferStats().peakBufferedBytes <= budget + chunkBytes);
});

test('a position between the "\r" and "\n" of a line end resumes without an empty line', async () => {
  const dir = await tempDir('dir-crlf');
  try {
    await drop(dir.path, 'a.txt', 'one\r\ntwo\rthree\r\n');
    // 4 is just past "one\r": where a read that ended on the '\r' leaves the position.
    const { lines } = await resumeFrom(dir.path, { done: [], current: { name: 'a.txt', offset: 4 } }, fastPoll);
    assert.deepEqual(lines, ['two', 'three']);
    // Just past "two\r", where no '\n' follows: nothing is skipped.
    const rest = await resumeFrom(dir.path, { done: [], current: { name: 'a.txt', offset: 9 } }, fastPoll);
    assert.deepEqual(rest.lines, ['three']);
  } finally {
    await dir.cleanup();
  }
});

test('a file shorter than the position the checkpoint saved for it is skipped with a message, not taken as read', async () => {
  const dir = await tempDir('dir-truncated');
  try {
    await drop(dir.path, 'a.txt', 'replaced\n');
    const receiver = new TextFileReceiver(dir.path, fastPoll);
    receiver.restorePosition({ done: [], current: { name: 'a.txt', offset: 500 } });
    const host = new FakeReceiverHost(receiver);
    host.start();
    await waitFor(() => receiver.stats.filesSkipped === 1, 'the shortened file', 20_000);
    host.stop();
    assert.deepEqual(host.lines(), []);
    assert.equal(receiver.stats.filesRead, 0);
    assert.match(host.errors.map((e) => e.message).join('\n'), /Skipped file .*a\.txt: it is 9 bytes long, shorter than the 500 bytes the checkpoint had read of it/);
  } finally {
    await dir.cleanup();
  }
});

test('a scan failing the same way at every poll is reported once, and again only when the error changes', async () => {
  const dir = await tempDir('dir-scan-error');
  const path = join(dir.path, 'later');
  const receiver = new TextFileReceiver(path, fastPoll);
  const host = new FakeReceiverHost(receiver);
  host.start();
  try {
    await waitFor(() => host.errors.some((e) => /does not exist \(yet\)/.test(e.message)), 'the missing directory');
    // A file where the directory should be: every scan fails with ENOTDIR.
    await writeFile(path, 'not a directory');
    await waitFor(() => host.errors.some((e) => /Scanning .* failed: ENOTDIR/.test(e.message)), 'the scan failure');
    const polls = receiver.stats.scans;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(receiver.stats.scans, polls, 'no successful scan meanwhile');
    assert.equal(host.errors.filter((e) => /Scanning/.test(e.message)).length, 1, host.errors.map((e) => e.message).join('\n'));
  } finally {
    host.stop();
    await dir.cleanup();
  }
});

test('a checkpoint position naming a file outside the directory is a corrupt checkpoint, and nothing outside is read', async () => {
  const dir = await tempDir('outside');
  const watched = join(dir.path, 'in');
  await mkdir(watched);
  await writeFile(join(dir.path, 'outside.txt'), 'secret\n');
  const bad: unknown[] = [
    { done: ['../outside.txt'] },
    { done: [], current: { name: '../outside.txt', offset: 0 } },
    { done: [join(dir.path, 'outside.txt')] },
    { done: ['..'] },
    { done: ['a\0b'] },
    { done: [7] },
    { done: [], current: { name: 'ok.txt', offset: -1 } },
    { done: 'ok.txt' },
    'ok.txt',
  ];
  for (const position of bad) {
    const receiver = new TextFileReceiver(watched, fastPoll);
    assert.throws(
      () => receiver.restorePosition(position),
      (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_CORRUPT' && (e as Error).message.includes(watched) && /start from an empty checkpoint directory/.test((e as Error).message),
      JSON.stringify(position),
    );
  }
  // Through recovery: getOrCreate refuses before any receiver starts.
  const store = new InMemoryCheckpointStore();
  await store.write(encodeCheckpoint({ batchIntervalMs: 100, zeroTime: 0, checkpointTime: 100, pendingTimes: [], sources: { 'input#0': { done: [], current: { name: '../outside.txt', offset: 0 } } }, operators: {} }));
  const lines: string[] = [];
  await assert.rejects(
    StreamingContext.getOrCreate(store, () => {
      const ssc = new StreamingContext({ batchIntervalMs: 100, clock: new ManualClock() });
      textFileStream(ssc, watched, fastPoll).foreachRDD((batch) => void lines.push(...batch.collect()));
      return ssc;
    }),
    (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_CORRUPT',
  );
  assert.deepEqual(lines, []);
  // Plain names (even odd ones) are fine.
  new TextFileReceiver(watched, fastPoll).restorePosition({ done: ['..hidden', 'a b.txt', '...'], current: { name: 'x.txt', offset: 3 } });
  await dir.cleanup();
});

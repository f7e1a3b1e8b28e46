import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readdir, stat, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WriteAheadLog } from '../../../src/node/serve/write-ahead-log.js';
import { tempDir } from '../temp-dir.js';

const text = (payloads: Uint8Array[]): string[] => payloads.map((p) => Buffer.from(p).toString());
const bytes = (...parts: string[]): Uint8Array[] => parts.map((p) => Buffer.from(p));

test('entries read back from any position an append returned, across segments and reopenings', async () => {
  const dir = await tempDir('wal');
  try {
    const wal = await WriteAheadLog.open(dir.path, { segmentBytes: 40 });
    const first = await wal.append(bytes('alpha\n', 'beta\n'));
    const second = await wal.append(bytes('gamma\n'));
    const third = await wal.append(bytes('delta\n', 'epsilon'));
    assert.equal(wal.endOffset, third[1]);
    assert.ok((await readdir(dir.path)).length >= 2, 'a new segment once the first passed segmentBytes');
    await wal.close();
    const reopened = await WriteAheadLog.open(dir.path, { segmentBytes: 40 });
    assert.equal(reopened.endOffset, third[1]);
    assert.deepEqual(text((await reopened.readFrom(0)).payloads), ['alpha\n', 'beta\n', 'gamma\n', 'delta\n', 'epsilon']);
    assert.deepEqual(text((await reopened.readFrom(first[1] as number)).payloads), ['gamma\n', 'delta\n', 'epsilon']);
    assert.deepEqual(text((await reopened.readFrom(second[0] as number)).payloads), ['delta\n', 'epsilon']);
    assert.deepEqual((await reopened.readFrom(reopened.endOffset)).payloads, []);
    await reopened.close();
  } finally {
    await dir.cleanup();
  }
});

test('a torn last entry (a crash mid-append) is cut off at open; appends go on after the last whole entry', async () => {
  const dir = await tempDir('wal');
  try {
    const wal = await WriteAheadLog.open(dir.path);
    const [end] = await wal.append(bytes('kept\n'));
    await wal.close();
    const [segment] = await readdir(dir.path);
    const path = join(dir.path, segment as string);
    await appendFile(path, Buffer.from([20, 0, 0, 0, 1, 2, 3, 4, 0x61])); // header promising 20 bytes, 1 written
    const reopened = await WriteAheadLog.open(dir.path);
    assert.equal(reopened.endOffset, end);
    assert.equal((await stat(path)).size, end);
    await reopened.append(bytes('after\n'));
    assert.deepEqual(text((await reopened.readFrom(0)).payloads), ['kept\n', 'after\n']);
    await reopened.close();
  } finally {
    await dir.cleanup();
  }
});

test('a corrupt entry with intact entries after it is skipped and reported; the acknowledged entries after it are kept and replayed', async () => {
  const dir = await tempDir('wal');
  try {
    const wal = await WriteAheadLog.open(dir.path);
    await wal.append(bytes('one\n', 'two\n', 'three\n'));
    await wal.close();
    const [segment] = await readdir(dir.path);
    const path = join(dir.path, segment as string);
    const content = await readFile(path);
    const size = content.length;
    content[8 + 4 + 8 + 1] = (content[8 + 4 + 8 + 1] as number) ^ 0xff; // a byte of "two"
    await writeFile(path, content);
    const reopened = await WriteAheadLog.open(dir.path);
    assert.equal((await stat(path)).size, size, 'nothing cut off: only a torn tail is');
    const replay = await reopened.readFrom(0);
    assert.deepEqual(text(replay.payloads), ['one\n', 'three\n']);
    assert.match(replay.problem ?? '', /bytes 12 to 24 of .* are corrupt and were skipped/);
    await reopened.append(bytes('four\n'));
    assert.deepEqual(text((await reopened.readFrom(0)).payloads), ['one\n', 'three\n', 'four\n']);
    await reopened.close();
  } finally {
    await dir.cleanup();
  }
});

test('a corrupt length field followed by a torn tail: the intact entries between are kept, the torn tail is cut off', async () => {
  const dir = await tempDir('wal');
  try {
    const wal = await WriteAheadLog.open(dir.path);
    const ends = await wal.append(bytes('first line\n', 'second line\n', 'third line\n'));
    await wal.close();
    const [segment] = await readdir(dir.path);
    const path = join(dir.path, segment as string);
    const content = await readFile(path);
    content[0] = 0xee; // the first entry's length now points past the end
    await writeFile(path, Buffer.concat([content, Buffer.from([50, 0, 0, 0, 9, 9, 9, 9, 0x61, 0x62])]));
    const reopened = await WriteAheadLog.open(dir.path);
    assert.equal(reopened.endOffset, ends[2], 'the torn tail is cut off');
    const replay = await reopened.readFrom(0);
    assert.deepEqual(text(replay.payloads), ['second line\n', 'third line\n']);
    assert.match(replay.problem ?? '', /bytes 0 to 19 .* corrupt/);
    await reopened.close();
  } finally {
    await dir.cleanup();
  }
});

test('a segment corrupt to its end does not stop the replay of the segments after it', async () => {
  const dir = await tempDir('wal');
  try {
    const wal = await WriteAheadLog.open(dir.path, { segmentBytes: 16 });
    for (const word of ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc']) await wal.append(bytes(word));
    await wal.close();
    const [first] = (await readdir(dir.path)).sort();
    const path = join(dir.path, first as string);
    const content = await readFile(path);
    content[10] = (content[10] as number) ^ 0x01;
    await writeFile(path, content);
    const reopened = await WriteAheadLog.open(dir.path, { segmentBytes: 16 });
    const replay = await reopened.readFrom(0);
    assert.deepEqual(text(replay.payloads), ['bbbbbbbbbb', 'cccccccccc']);
    assert.match(replay.problem ?? '', /corrupt up to the end of that segment/);
    await reopened.close();
  } finally {
    await dir.cleanup();
  }
});

test('truncateBefore deletes whole segments before a position, never the last; a position before the start is reported', async () => {
  const dir = await tempDir('wal');
  try {
    const wal = await WriteAheadLog.open(dir.path, { segmentBytes: 16 });
    const ends: number[] = [];
    for (const word of ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc', 'dddddddddd']) ends.push(...(await wal.append(bytes(word))));
    assert.equal((await readdir(dir.path)).length, 4);
    await wal.truncateBefore(ends[1] as number);
    assert.equal((await readdir(dir.path)).length, 2);
    assert.equal(wal.startOffset, ends[1]);
    assert.deepEqual(text((await wal.readFrom(ends[1] as number)).payloads), ['cccccccccc', 'dddddddddd']);
    const early = await wal.readFrom(0);
    assert.match(early.problem ?? '', /deleted/);
    await wal.truncateBefore(Number.MAX_SAFE_INTEGER);
    assert.equal((await readdir(dir.path)).length, 1, 'the segment being appended to stays');
    await wal.close();
  } finally {
    await dir.cleanup();
  }
});

test('an empty directory is an empty log; a position past the end is reported', async () => {
  const dir = await tempDir('wal');
  try {
    const wal = await WriteAheadLog.open(join(dir.path, 'sub', 'wal'));
    assert.equal(wal.startOffset, 0);
    assert.equal(wal.endOffset, 0);
    const replay = await wal.readFrom(100);
    assert.deepEqual(replay.payloads, []);
    assert.match(replay.problem ?? '', /truncated or replaced/);

    await wal.close();
  } finally {
    await dir.cleanup();
  }
});

test('any single flipped byte loses at most the entry holding it (200 seeded flips)', async () => {
  const dir = await tempDir('wal');
  try {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ${'x'.repeat(i % 7)}\n`);
    const wal = await WriteAheadLog.open(dir.path);
    const ends = await wal.append(bytes(...lines));
    await wal.close();
    const [segment] = await readdir(dir.path);
    const path = join(dir.path, segment as string);
    const original = await readFile(path);
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const at = random(original.length);
      const damaged = Buffer.from(original);
      damaged[at] = (damaged[at] as number) ^ (1 + random(255));
      await writeFile(path, damaged);
      const reopened = await WriteAheadLog.open(dir.path);
      const replayed = text((await reopened.readFrom(0)).payloads);
      await reopened.close();
      const hit = ends.findIndex((end) => at < end);
      const expected = lines.filter((_, i) => i !== hit);
      // A flip in the last entry looks like a torn append: it is cut off, the rest stays.
      assert.deepEqual(replayed, expected, `flip at byte ${at} (entry ${hit})`);
    }
  } finally {
    await dir.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeFileSink } from '../../src/node/file-sink.js';
import { tempDir } from './temp-dir.js';

test('a batch becomes a folder of part files and a _SUCCESS marker, with no temp left behind', async () => {
  const dir = await tempDir('sink');
  const sink = new NodeFileSink({ baseDir: dir.path });
  await sink.writeBatch('data/wc-1000.txt', [['(长江,2)', '(黄河,1)'], [], ['(a,1)']]);
  const folder = join(dir.path, 'data', 'wc-1000.txt');
  assert.deepEqual((await readdir(folder)).sort(), ['_SUCCESS', 'part-00000', 'part-00001', 'part-00002']);
  assert.equal(await readFile(join(folder, 'part-00000'), 'utf8'), '(长江,2)\n(黄河,1)\n');
  assert.equal(await readFile(join(folder, 'part-00001'), 'utf8'), '');
  assert.equal(await readFile(join(folder, 'part-00002'), 'utf8'), '(a,1)\n');
  assert.deepEqual(await readdir(join(dir.path, 'data')), ['wc-1000.txt']);
  await dir.cleanup();
});

test('re-writing a batch (after recovery) replaces the folder as a whole', async () => {
  const dir = await tempDir('sink');
  const sink = new NodeFileSink({ baseDir: dir.path, fsync: true });
  await sink.writeBatch('out-2000', [['old 1'], ['old 2']]);
  await sink.writeBatch('out-2000', [['new']]);
  assert.deepEqual((await readdir(join(dir.path, 'out-2000'))).sort(), ['_SUCCESS', 'part-00000']);
  assert.equal(await readFile(join(dir.path, 'out-2000', 'part-00000'), 'utf8'), 'new\n');
  assert.deepEqual(await readdir(dir.path), ['out-2000']);
  await dir.cleanup();
});

test('an unwritable destination is an OutputError and leaves nothing half-written', async () => {
  const dir = await tempDir('sink');
  await writeFile(join(dir.path, 'blocker'), 'x');
  const sink = new NodeFileSink({ baseDir: dir.path });
  await assert.rejects(sink.writeBatch('blocker/out-1', [['x']]), { code: 'ERR_SLUICE_OUTPUT_IO' });
  assert.deepEqual(await readdir(dir.path), ['blocker']);
  await dir.cleanup();
});

test('names without a final folder name are rejected before touching the disk', async () => {
  const dir = await tempDir('sink');
  const sink = new NodeFileSink({ baseDir: join(dir.path, 'a', 'b') });
  for (const name of ['..', '.', '', 'out/', '../..', 'x\\..']) {
    await assert.rejects(sink.writeBatch(name, [['x']]), { code: 'ERR_SLUICE_INVALID_ARGUMENT' }, name);
  }
  assert.deepEqual(await readdir(dir.path), []);
  await dir.cleanup();
});

test('an existing folder that the sink did not write is never replaced', async () => {
  const dir = await tempDir('sink');
  await mkdir(join(dir.path, 'precious-1000'));
  await writeFile(join(dir.path, 'precious-1000', 'notes.txt'), 'keep me');
  await writeFile(join(dir.path, 'precious-1000', '_SUCCESS'), '');
  await writeFile(join(dir.path, 'plain-file-2000'), 'keep me too');
  const sink = new NodeFileSink({ baseDir: dir.path });
  await assert.rejects(sink.writeBatch('precious-1000', [['x']]), { code: 'ERR_SLUICE_OUTPUT_IO', message: /refusing to replace it/ });
  await assert.rejects(sink.writeBatch('plain-file-2000', [['x']]), { code: 'ERR_SLUICE_OUTPUT_IO', message: /refusing to replace it/ });
  assert.equal(await readFile(join(dir.path, 'precious-1000', 'notes.txt'), 'utf8'), 'keep me');
  assert.equal(await readFile(join(dir.path, 'plain-file-2000'), 'utf8'), 'keep me too');
  assert.deepEqual((await readdir(dir.path)).sort(), ['plain-file-2000', 'precious-1000']);
  await dir.cleanup();
});

test('a baseDir that is not a non-empty string is refused at construction', () => {
  for (const baseDir of ['', 5]) {
    assert.throws(() => new NodeFileSink({ baseDir: baseDir as unknown as string }), (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_INVALID_ARGUMENT' && /baseDir must be a non-empty string/.test((e as Error).message));
  }
});

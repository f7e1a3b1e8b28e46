import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_FILE, CHECKPOINT_FILE, FileCheckpointStore, encodeCheckpointFile } from '../../src/node/file-checkpoint-store.js';
import { crc32 } from '../../src/checkpoint/crc32.js';
import { tempDir } from './temp-dir.js';
import { LOCK_FILE } from '../../src/node/checkpoint-lock.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => (data === undefined ? undefined : new TextDecoder().decode(data));

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(bytes('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('nothing written reads as undefined, even before the directory exists', async () => {
  const dir = await tempDir('ckpt');
  const store = new FileCheckpointStore(join(dir.path, 'not-yet'));
  assert.equal(await store.read(), undefined);
  await dir.cleanup();
});

test('the newest write wins, the previous one is kept as backup, no temp files remain', async () => {
  const dir = await tempDir('ckpt');
  const store = new FileCheckpointStore(join(dir.path, 'nested', 'ckpt'));
  await store.write(bytes('first'));
  await store.write(bytes('second'));
  await store.write(bytes('third'));
  assert.equal(text(await store.read()), 'third');
  assert.deepEqual((await readdir(store.dir)).sort(), [CHECKPOINT_FILE, BACKUP_FILE, LOCK_FILE].sort());
  assert.equal(text(await new FileCheckpointStore(store.dir).read()), 'third');
  await dir.cleanup();
});

test('overlapping writes are serialised: the last one started is the newest', async () => {
  const dir = await tempDir('ckpt');
  const store = new FileCheckpointStore(dir.path);
  await Promise.all(Array.from({ length: 10 }, (_, i) => store.write(bytes(`w${i}`))));
  assert.equal(text(await store.read()), 'w9');
  await dir.cleanup();
});

test('a corrupt newest checkpoint falls back to the backup and says so', async () => {
  const dir = await tempDir('ckpt');
  const fallbacks: string[] = [];
  const store = new FileCheckpointStore(dir.path, { onFallback: (reason) => fallbacks.push(reason) });
  await store.write(bytes('older'));
  await store.write(bytes('newer'));
  const path = join(dir.path, CHECKPOINT_FILE);
  const damaged = await readFile(path);
  damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0xff;
  await writeFile(path, damaged);
  assert.equal(text(await store.read()), 'older');
  assert.equal(fallbacks[0], 'checkpoint is corrupt (checksum mismatch). Using the previous checkpoint (checkpoint.bak).');
  await dir.cleanup();
});

test('a missing newest checkpoint (crash between the renames) falls back to the backup', async () => {
  const dir = await tempDir('ckpt');
  const store = new FileCheckpointStore(dir.path);
  await store.write(bytes('older'));
  await store.write(bytes('newer'));
  await rm(join(dir.path, CHECKPOINT_FILE));
  assert.equal(text(await store.read()), 'older');
  await dir.cleanup();
});

test('corrupt everywhere is a CheckpointError, not a crash or silent loss', async () => {
  const dir = await tempDir('ckpt');
  const store = new FileCheckpointStore(dir.path);
  await writeFile(join(dir.path, CHECKPOINT_FILE), bytes('garbage that is not a checkpoint'));
  await assert.rejects(store.read(), { code: 'ERR_SLUICE_CHECKPOINT_CORRUPT', message: /wrong magic number/ });
  const truncated = encodeCheckpointFile(bytes('payload')).subarray(0, 22);
  await writeFile(join(dir.path, CHECKPOINT_FILE), truncated);
  await assert.rejects(store.read(), { code: 'ERR_SLUICE_CHECKPOINT_CORRUPT', message: /header says 7 payload bytes, file holds 2/ });
  await writeFile(join(dir.path, CHECKPOINT_FILE), new Uint8Array(3));
  await assert.rejects(store.read(), { code: 'ERR_SLUICE_CHECKPOINT_CORRUPT', message: /shorter than the 20-byte header/ });
  await dir.cleanup();
});

test('a checkpoint from another file format version is incompatible, with advice', async () => {
  const dir = await tempDir('ckpt');
  const store = new FileCheckpointStore(dir.path);
  await store.write(bytes('ok'));
  await store.write(bytes('from the future'));
  const path = join(dir.path, CHECKPOINT_FILE);
  const file = await readFile(path);
  new DataView(file.buffer, file.byteOffset).setUint32(4, 99, true);
  await writeFile(path, file);
  await assert.rejects(store.read(), { code: 'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE', message: /version 99; this sluice reads version 1/ });
  await dir.cleanup();
});

test('an unwritable location is a retriable CheckpointError IO', async () => {
  const dir = await tempDir('ckpt');
  const blocker = join(dir.path, 'file-not-dir');
  await writeFile(blocker, 'x');
  const store = new FileCheckpointStore(join(blocker, 'ckpt'));
  await assert.rejects(store.write(bytes('x')), (error: { code: string; retriable: boolean }) => error.code === 'ERR_SLUICE_CHECKPOINT_IO' && error.retriable);
  await dir.cleanup();
});

test('ensureWritable creates the directory, and fails fast where none can be created (no endless recursive mkdir)', async () => {
  const dir = await tempDir('ckpt');
  try {
    const store = new FileCheckpointStore(join(dir.path, 'a', 'b'));
    await store.ensureWritable();
    assert.deepEqual(await readdir(join(dir.path, 'a')), ['b']);
    await writeFile(join(dir.path, 'file'), 'x');
    await assert.rejects(new FileCheckpointStore(join(dir.path, 'file', 'ckpt')).ensureWritable(), { code: 'ERR_SLUICE_CHECKPOINT_IO' });
  } finally {
    await dir.cleanup();
  }
});

// /proc refuses mkdir with ENOENT although it exists: Node 20's mkdir({ recursive: true }) spins there forever.
test('a checkpoint directory under /proc is an error, not a hang', { skip: process.platform !== 'linux', timeout: 10_000 }, async () => {
  const store = new FileCheckpointStore('/proc/sluice-no-such-dir/ckpt');
  await assert.rejects(store.ensureWritable(), /Cannot write checkpoints to \/proc\/sluice-no-such-dir\/ckpt: .*Choose a directory/);
  await assert.rejects(store.write(bytes('x')), { code: 'ERR_SLUICE_CHECKPOINT_IO' });
});

test('temp files left by killed writes are removed before the first read or write; other files are left alone', async () => {
  const dir = await tempDir('ckpt');
  // Pids above Linux's largest pid_max (2^22): never a live process.
  const leftovers = ['.checkpoint-4999999-0a1b2c3d.tmp', '.checkpoint-4999998-ffffffff.tmp'];
  const others = ['.checkpoint-notes.tmp', 'checkpoint-1-0a1b2c3d.tmp', '.checkpoint-12-0a1b2c3d.tmp.keep', 'notes.txt'];
  for (const name of [...leftovers, ...others]) await writeFile(join(dir.path, name), 'x');
  const reader = new FileCheckpointStore(dir.path);
  assert.equal(await reader.read(), undefined);
  assert.deepEqual((await readdir(dir.path)).sort(), others.sort());
  for (const name of leftovers) await writeFile(join(dir.path, name), 'x');
  const writer = new FileCheckpointStore(dir.path);
  await writer.write(bytes('after a kill'));
  assert.deepEqual((await readdir(dir.path)).sort(), [...others, CHECKPOINT_FILE, LOCK_FILE].sort());
  assert.equal(text(await writer.read()), 'after a kill');
  await dir.cleanup();
});

test('a directory that is not a non-empty string is refused at construction, not resolved to the current directory or a TypeError', () => {
  for (const dir of [undefined, '', 5]) {
    assert.throws(() => new FileCheckpointStore(dir as unknown as string), (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_INVALID_ARGUMENT' && /new FileCheckpointStore\(dir\): dir must be a non-empty string/.test((e as Error).message));
  }
});

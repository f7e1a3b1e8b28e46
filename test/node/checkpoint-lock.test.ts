import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_FILE, FileCheckpointStore } from '../../src/node/file-checkpoint-store.js';
import { LOCK_FILE, OTHER_HOST_LOCK_MS } from '../../src/node/checkpoint-lock.js';
import { decodeCheckpointFile } from '../../src/node/file-checkpoint-store.js';
import { tempDir } from './temp-dir.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const locked = (pattern: RegExp) => (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_LOCKED' && pattern.test((e as Error).message);

/** A child process that has written a checkpoint into `dir` (and a temp file as if a write were under way), and stays alive. */
async function otherProcess(dir: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const store = new URL('../../src/node/file-checkpoint-store.js', import.meta.url).href;
  const script = `
    import { writeFile } from 'node:fs/promises';
    import { FileCheckpointStore } from '${store}';
    await new FileCheckpointStore(${JSON.stringify(dir)}).write(new TextEncoder().encode('other'));
    await writeFile(${JSON.stringify(dir)} + '/.checkpoint-' + process.pid + '-0a1b2c3d.tmp', 'a write under way');
    console.log('ready');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout, 'data');
  return {
    pid: child.pid as number,
    kill: async () => {
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

test('a second process checkpointing into a directory in use is refused with ERR_SLUICE_CHECKPOINT_LOCKED, and takes the directory over once the first is gone', async () => {
  const dir = await tempDir('lock');
  const other = await otherProcess(dir.path);
  try {
    const store = new FileCheckpointStore(dir.path);
    // Reading is allowed, and leaves the other process's write under way alone.
    assert.equal(new TextDecoder().decode(await store.read()), 'other');
    assert.ok((await readdir(dir.path)).includes(`.checkpoint-${other.pid}-0a1b2c3d.tmp`));
    await assert.rejects(store.ensureWritable(), locked(new RegExp(`in use by process ${other.pid} on .*Give each process its own checkpoint directory`)));
    await assert.rejects(store.write(bytes('mine')), locked(new RegExp(`process ${other.pid}`)));
    assert.equal(new TextDecoder().decode(decodeCheckpointFile(await readFile(join(dir.path, CHECKPOINT_FILE)), 'x')), 'other', "the other process's checkpoint is untouched");
  } finally {
    await other.kill();
  }
  const store = new FileCheckpointStore(dir.path);
  await store.write(bytes('mine'));
  assert.equal(new TextDecoder().decode(await store.read()), 'mine');
  assert.deepEqual(JSON.parse(await readFile(join(dir.path, LOCK_FILE), 'utf8')).pid, process.pid);
  await dir.cleanup();
});

test('stores of one directory in one process share its lock', async () => {
  const dir = await tempDir('lock');
  await new FileCheckpointStore(dir.path).write(bytes('one'));
  await new FileCheckpointStore(dir.path).ensureWritable();
  await new FileCheckpointStore(dir.path).write(bytes('two'));
  assert.equal(new TextDecoder().decode(await new FileCheckpointStore(dir.path).read()), 'two');
  await dir.cleanup();
});

test("another host's lock is held while it was refreshed in the last minute; an older one, or a file that is no lock, is taken over", async () => {
  const dir = await tempDir('lock');
  const lock = join(dir.path, LOCK_FILE);
  await writeFile(lock, JSON.stringify({ pid: 1, host: 'elsewhere.example' }));
  await assert.rejects(new FileCheckpointStore(dir.path).write(bytes('x')), locked(/process 1 on elsewhere\.example.*60 s after its last checkpoint/));
  const old = new Date(Date.now() - OTHER_HOST_LOCK_MS - 1000);
  await utimes(lock, old, old);
  await new FileCheckpointStore(dir.path).write(bytes('taken over'));
  await writeFile(lock, 'not a lock');
  await new FileCheckpointStore(dir.path).write(bytes('again'));
  assert.equal(new TextDecoder().decode(await new FileCheckpointStore(dir.path).read()), 'again');
  await dir.cleanup();
});

/**
 * One process per checkpoint directory. Two processes checkpointing into one
 * directory would overwrite each other's state (the last writer wins, and
 * nothing says so) and remove each other's temp files. So the first write
 * (or ensureWritable) takes `checkpoint.lock`, holding `{ pid, host }`, and
 * every later write checks that it is still this process's and refreshes
 * its modification time.
 *
 * Another process's lock is held while that process lives: on this host,
 * while its pid exists; on another host (a shared file system), while the
 * lock was refreshed in the last 60 s. Otherwise it is stale (a crash, or a
 * stopped process) and is taken over. Several stores of one directory in
 * one process share the lock.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CheckpointError } from '../errors.js';

/** Name of the lock file in a checkpoint directory. */
export const LOCK_FILE = 'checkpoint.lock';
/** How long another host's lock counts as held after its last refresh. */
export const OTHER_HOST_LOCK_MS = 60_000;

interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

const me = (): LockOwner => ({ pid: process.pid, host: hostname() });
const isMe = (owner: LockOwner): boolean => owner.pid === process.pid && owner.host === hostname();

/** Takes or refreshes `dir`'s lock; CheckpointError LOCKED while another live process holds it. */
export async function holdCheckpointLock(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  const owner = await readOwner(path);
  if (owner !== undefined && isMe(owner)) {
    const now = new Date();
    await utimes(path, now, now);
    return;
  }
  if (owner !== undefined && (await isHeld(owner, path))) throw lockedError(dir, owner);
  // Atomically, so a reader never sees half a lock; of two processes taking a stale lock at once, the one whose rename came last keeps it.
  const temp = join(dir, `.checkpoint-lock-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, JSON.stringify(me()));
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
  const now = await readOwner(path);
  if (now !== undefined && !isMe(now)) throw lockedError(dir, now);
}

/** True while process `pid` exists on this host. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isHeld(owner: LockOwner, path: string): Promise<boolean> {
  if (owner.host === hostname()) return processAlive(owner.pid);
  const modified = await stat(path).then((s) => s.mtimeMs, () => 0);
  return Date.now() - modified < OTHER_HOST_LOCK_MS;
}

/** The lock's owner; undefined when there is no lock, or one that is not a lock (it is then taken over). */
async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | null;
    if (owner !== null && Number.isSafeInteger(owner.pid) && typeof owner.host === 'string') return { pid: owner.pid as number, host: owner.host };
  } catch {
    // Not a lock this code wrote: taken over.
  }
  return undefined;
}

function lockedError(dir: string, owner: LockOwner): CheckpointError {
  const gone = owner.host === hostname() ? '' : ` (a lock of another host counts as held until ${OTHER_HOST_LOCK_MS / 1000} s after its last checkpoint)`;
  return new CheckpointError(
    'ERR_SLUICE_CHECKPOINT_LOCKED',
    `Checkpoint directory ${dir} is in use by process ${owner.pid} on ${owner.host}: two processes checkpointing into one directory would overwrite each other's state. ` +
      `Give each process its own checkpoint directory, or stop the other one first. If that process is gone${gone}, delete ${join(dir, LOCK_FILE)}.`,
  );
}

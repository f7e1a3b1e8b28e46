/**
 * A CheckpointStore in a local directory, crash-safe the way Spark's
 * CheckpointWriter is: write a temp file, fsync it, rename it over the
 * current checkpoint (keeping the previous one as a backup), fsync the
 * directory. A reader therefore sees either the old or the new checkpoint,
 * never a torn one, and a checksum catches what the disk got wrong anyway.
 *
 * Files in `dir`:
 *   checkpoint        the newest checkpoint
 *   checkpoint.bak    the one before it (read when the newest is corrupt or missing)
 *   .checkpoint-<pid>-<hex>.tmp  a write in progress; one left over by a crash is
 *                     removed before this store first reads or writes (files of
 *                     that exact shape only, of no live process: nothing else in
 *                     the directory is touched)
 *   checkpoint.lock   the process that writes here (see checkpoint-lock.ts)
 *
 * File layout (little-endian), 20-byte header then the engine's payload:
 *
 *   offset 0        4         8                16        20
 *          ┌────────┬─────────┬─────────────────┬─────────┬───────────────┐
 *          │ "SLCP" │ version │ payload length  │ CRC-32  │ payload ...   │
 *          │ magic  │ u32 = 1 │ u64             │ of      │               │
 *          │        │         │                 │ payload │               │
 *          └────────┴─────────┴─────────────────┴─────────┴───────────────┘
 *
 * The version here is the container format's; the payload carries its own.
 */

import { access, constants, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CheckpointStore } from '../checkpoint/store.js';
import { CheckpointError } from '../errors.js';
import { crc32 } from '../checkpoint/crc32.js';
import { createDirectory } from './create-directory.js';
import { holdCheckpointLock, processAlive } from './checkpoint-lock.js';
import { requireNonEmptyString } from '../arguments.js';

/** Name of the newest checkpoint file in a FileCheckpointStore directory. */
export const CHECKPOINT_FILE = 'checkpoint';
/** Name of the previous checkpoint, kept as a fallback. */
export const BACKUP_FILE = 'checkpoint.bak';
const MAGIC = 0x50434c53; // "SLCP" read as a little-endian u32
/** Version of the checkpoint file header. */
export const CHECKPOINT_FILE_VERSION = 1;
const HEADER_BYTES = 20;
/** The names writeNow gives its temp files, and only those. */
const TEMP_FILE = /^\.checkpoint-\d+-[0-9a-f]{8}\.tmp$/;

/** Options of a FileCheckpointStore. */
export interface FileCheckpointStoreOptions {
  /** Called when the newest checkpoint is unusable and the backup is read instead. */
  readonly onFallback?: (reason: string) => void;
}

/** A CheckpointStore in a directory: fsynced temp file, rename, previous checkpoint kept as a backup. */
export class FileCheckpointStore implements CheckpointStore {
  readonly dir: string;
  private readonly onFallback: ((reason: string) => void) | undefined;
  /** Writes are serialised so two overlapping writes cannot interleave their renames. */
  private writing: Promise<void> = Promise.resolve();
  /** Leftover temp files are removed once, before the first read or write (one process per directory). */
  private cleanedUp: Promise<void> | undefined;

  constructor(dir: string, options: FileCheckpointStoreOptions = {}) {
    requireNonEmptyString('new FileCheckpointStore(dir)', 'dir', dir, "'./checkpoints'");
    this.dir = resolve(dir);
    this.onFallback = options.onFallback;
  }

  describe(): string {
    return `checkpoint directory ${this.dir}`;
  }

  /**
   * Creates the directory if needed and checks that it can be written, so a
   * bad location is reported before any data is read (rather than at the
   * first checkpoint, after a batch was consumed); CheckpointError IO if not.
   */
  async ensureWritable(): Promise<void> {
    try {
      await createDirectory(this.dir);
      await access(this.dir, constants.W_OK);
      await holdCheckpointLock(this.dir);
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointError('ERR_SLUICE_CHECKPOINT_IO', `Cannot write checkpoints to ${this.dir}: ${(error as Error).message}. Choose a directory you can create and write to.`, {
        cause: error,
      });
    }
  }

  write(data: Uint8Array): Promise<void> {
    const next = this.writing.then(() => this.removeLeftoverTempFiles()).then(() => this.writeNow(data));
    this.writing = next.catch(() => {});
    return next;
  }

  async read(): Promise<Uint8Array | undefined> {
    await this.removeLeftoverTempFiles();
    const newest = await this.readValidated(CHECKPOINT_FILE);
    if (newest.kind === 'ok') return newest.payload;
    if (newest.kind === 'incompatible') throw newest.error;
    const backup = await this.readValidated(BACKUP_FILE);
    if (backup.kind === 'ok') {
      const why = newest.kind === 'corrupt' ? `${CHECKPOINT_FILE} is corrupt (${String(newest.error.cause)}).` : `${CHECKPOINT_FILE} is missing (a write was interrupted).`;
      this.onFallback?.(`${why} Using the previous checkpoint (${BACKUP_FILE}).`);
      return backup.payload;
    }
    if (backup.kind === 'incompatible') throw backup.error;
    if (newest.kind === 'corrupt') throw newest.error;
    if (backup.kind === 'corrupt') throw backup.error;
    return undefined;
  }

  /**
   * Temp files of writes a kill interrupted (each a full checkpoint) would
   * otherwise pile up. Only names of the exact shape writeNow uses are removed.
   * Called by the first read or write; never fails.
   */
  removeLeftoverTempFiles(): Promise<void> {
    this.cleanedUp ??= (async () => {
      // Best effort: a directory that cannot be listed fails the read or write that follows, with its own message.
      const names = await readdir(this.dir).catch(() => [] as string[]);
      // Not those of another live process (writing here, which the lock then refuses): they may be writes under way.
      const leftover = (name: string): boolean => {
        const pid = Number(name.split('-')[1]);
        return TEMP_FILE.test(name) && (pid === process.pid || !processAlive(pid));
      };
      await Promise.all(names.filter(leftover).map((name) => rm(join(this.dir, name), { force: true }).catch(() => {})));
    })();
    return this.cleanedUp;
  }

  private async writeNow(data: Uint8Array): Promise<void> {
    const temp = join(this.dir, `.checkpoint-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      await createDirectory(this.dir);
      await holdCheckpointLock(this.dir);
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(encodeCheckpointFile(data));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(join(this.dir, CHECKPOINT_FILE), join(this.dir, BACKUP_FILE)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await rename(temp, join(this.dir, CHECKPOINT_FILE));
      await syncDirectory(this.dir);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointError('ERR_SLUICE_CHECKPOINT_IO', `Could not write a checkpoint to ${this.dir}: ${(error as Error).message}. Check that the directory is writable and the disk is not full.`, {
        cause: error,
        retriable: true,
      });
    }
  }

  private async readValidated(
    name: string,
  ): Promise<{ kind: 'ok'; payload: Uint8Array } | { kind: 'missing' } | { kind: 'corrupt' | 'incompatible'; error: CheckpointError }> {
    const path = join(this.dir, name);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw new CheckpointError('ERR_SLUICE_CHECKPOINT_IO', `Could not read checkpoint ${path}: ${(error as Error).message}.`, { cause: error, retriable: true });
    }
    try {
      return { kind: 'ok', payload: decodeCheckpointFile(bytes, path) };
    } catch (error) {
      const checkpointError = error as CheckpointError;
      return { kind: checkpointError.code === 'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE' ? 'incompatible' : 'corrupt', error: checkpointError };
    }
  }
}

export function encodeCheckpointFile(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, CHECKPOINT_FILE_VERSION, true);
  view.setBigUint64(8, BigInt(payload.length), true);
  view.setUint32(16, crc32(payload), true);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** The payload of a checkpoint file; CheckpointError CORRUPT or INCOMPATIBLE when it cannot be trusted. */
export function decodeCheckpointFile(bytes: Uint8Array, path: string): Uint8Array {
  const corrupt = (what: string) =>
    new CheckpointError(
      'ERR_SLUICE_CHECKPOINT_CORRUPT',
      `Checkpoint ${path} is corrupt (${what}). To start over without the saved state, empty its directory.`,
      // The bare problem, for the fallback notice (which needs no advice: the backup is used).
      { cause: what },
    );
  if (bytes.length < HEADER_BYTES) throw corrupt(`${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw corrupt('not a sluice checkpoint file: wrong magic number');
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_FILE_VERSION) {
    throw new CheckpointError(
      'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE',
      `Checkpoint ${path} has file format version ${version}; this sluice reads version ${CHECKPOINT_FILE_VERSION}. Use the sluice version that wrote it, or start from an empty checkpoint directory.`,
    );
  }
  const length = view.getBigUint64(8, true);
  if (length !== BigInt(bytes.length - HEADER_BYTES)) throw corrupt(`header says ${length} payload bytes, file holds ${bytes.length - HEADER_BYTES}`);
  const payload = bytes.subarray(HEADER_BYTES);
  if (crc32(payload) !== view.getUint32(16, true)) throw corrupt('checksum mismatch');
  return payload;
}

/** Makes the renames durable; some platforms (Windows) cannot open a directory, which is harmless there. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}

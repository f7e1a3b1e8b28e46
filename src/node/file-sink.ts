/**
 * The Node FileSink behind saveAsTextFiles: each batch becomes a folder
 * (`prefix-<batch ms>.suffix`) of `part-00000`, `part-00001`, ... text files
 * and an empty `_SUCCESS` marker, as Spark/Hadoop write them.
 *
 * Atomic visibility: the folder is written under a hidden temporary name next
 * to its destination and renamed into place when complete, so a reader that
 * sees `prefix-<ms>.suffix` sees all of it. When the folder already exists
 * (the batch is re-run after recovery) the old one is moved aside first and
 * then deleted, so a reader sees the old or the new folder, never a mix; an
 * existing path that is not such a folder (no `_SUCCESS`, other files) is
 * never touched: the write fails with OutputError instead.
 * Durability: files are not fsynced unless `fsync: true` (outputs can be
 * recomputed from the checkpoint; the checkpoint itself is always fsynced).
 */

import { access, constants, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileSink } from '../checkpoint/store.js';
import { InvalidArgumentError, OutputError } from '../errors.js';
import { createDirectory } from './create-directory.js';
import { requireNonEmptyString } from '../arguments.js';

/** Options of a NodeFileSink. */
export interface NodeFileSinkOptions {
  /** Relative batch folder names are resolved against this. Default: the current directory. */
  readonly baseDir?: string;
  /** fsync every part file and the folder before the rename. Default false. */
  readonly fsync?: boolean;
}

/** The FileSink of saveAsTextFiles on Node (see the top of this file). */
export class NodeFileSink implements FileSink {
  readonly baseDir: string;
  private readonly fsync: boolean;

  constructor(options: NodeFileSinkOptions = {}) {
    if (options.baseDir !== undefined) requireNonEmptyString('new NodeFileSink({ baseDir })', 'baseDir', options.baseDir, "'./out'");
    this.baseDir = resolve(options.baseDir ?? '.');
    this.fsync = options.fsync ?? false;
  }

  /**
   * Creates the folder that batch folders named `prefix-<ms>` go into and
   * checks it is writable, so a program can fail before it reads (and
   * loses) input rather than at its first output.
   */
  async ensureWritable(prefix: string): Promise<void> {
    const parent = dirname(resolve(this.baseDir, `${prefix}-0`));
    try {
      await createDirectory(parent);
      await access(parent, constants.W_OK);
    } catch (error) {
      throw new OutputError(`Cannot write output folders to ${parent}: ${(error as Error).message}. Choose a directory you can create and write to.`, { cause: error });
    }
  }

  async writeBatch(name: string, parts: readonly (readonly string[])[]): Promise<void> {
    const lastSegment = name.split(/[\\/]/).pop() ?? '';
    if (lastSegment === '' || lastSegment === '.' || lastSegment === '..') {
      throw new InvalidArgumentError(`saveAsTextFiles needs a folder name ending in a name (e.g. "out/wc-1000.txt"), got "${name}"`);
    }
    const target = resolve(this.baseDir, name);
    const folder = basename(target);
    const parent = dirname(target);
    const temp = join(parent, `.${folder}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await createDirectory(temp);
      for (let i = 0; i < parts.length; i++) {
        const lines = parts[i] as readonly string[];
        await this.writeFile(join(temp, `part-${String(i).padStart(5, '0')}`), lines.length === 0 ? '' : lines.join('\n') + '\n');
      }
      await this.writeFile(join(temp, '_SUCCESS'), '');
      if (this.fsync) await syncPath(temp);
      await replaceFolder(temp, target);
    } catch (error) {
      await rm(temp, { recursive: true, force: true }).catch(() => {});
      throw new OutputError(`Could not write output folder ${target}: ${(error as Error).message}. Check that ${parent} is writable and the disk is not full.`, {
        cause: error,
        retriable: true,
      });
    }
  }

  private async writeFile(path: string, text: string): Promise<void> {
    const file = await open(path, 'wx');
    try {
      await file.writeFile(text);
      if (this.fsync) await file.sync();
    } finally {
      await file.close();
    }
  }
}

const OUTPUT_ENTRY = /^(part-\d{5,}|_SUCCESS)$/;

async function replaceFolder(temp: string, target: string): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (existing === undefined) {
    await rename(temp, target);
    return;
  }
  // Only ever replace (and delete) a folder this sink wrote, never a user's directory.
  const entries = existing.isDirectory() ? await readdir(target) : [];
  if (!existing.isDirectory() || !entries.includes('_SUCCESS') || !entries.every((entry) => OUTPUT_ENTRY.test(entry))) {
    throw new Error(`${target} already exists and is not a finished saveAsTextFiles folder (part files and _SUCCESS only); refusing to replace it. Choose another prefix`);
  }
  const aside = `${temp}.old`;
  await rename(target, aside);
  await rename(temp, target);
  await rm(aside, { recursive: true, force: true });
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

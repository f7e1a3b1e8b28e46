/**
 * `mkdir -p` without `mkdir(dir, { recursive: true })`: Node 20's recursive
 * mkdir loops forever at full CPU where mkdir fails with ENOENT although the
 * parent exists (a pseudo file system such as /proc); here that is an error.
 */

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function createDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await createDirectory(parent);
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

import type { FileSink } from '../checkpoint/store.js';

/** A FileSink that keeps folders in a Map (tests, edge runtimes without a filesystem). */
export class InMemoryFileSink implements FileSink {
  readonly folders = new Map<string, readonly (readonly string[])[]>();

  async writeBatch(name: string, parts: readonly (readonly string[])[]): Promise<void> {
    // Copy so later mutation by the caller cannot change what was "written".
    this.folders.set(name, parts.map((part) => [...part]));
  }
}

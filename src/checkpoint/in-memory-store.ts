import type { CheckpointStore } from './store.js';

/**
 * A CheckpointStore in memory (the core's store; works on every runtime).
 * It survives a StreamingContext, not the process: use it to recover a
 * context in the same process (tests, edge functions holding it in a global),
 * and FileCheckpointStore from `sluice/node` to survive a crash.
 * Writes and reads copy, so a caller cannot change a stored checkpoint.
 */
export class InMemoryCheckpointStore implements CheckpointStore {
  private latest: Uint8Array | undefined;
  /** Number of checkpoints written so far. */
  writes = 0;

  constructor(private readonly label = 'in-memory checkpoint store') {}

  write(data: Uint8Array): Promise<void> {
    this.latest = data.slice();
    this.writes++;
    return Promise.resolve();
  }

  read(): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.latest?.slice());
  }

  describe(): string {
    return this.label;
  }
}

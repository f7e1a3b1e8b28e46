/**
 * Where checkpoints live. The core ships an in-memory store; `sluice/node`
 * ships FileCheckpointStore (temp file + fsync + rename, previous kept as backup).
 * A checkpoint is an opaque, versioned byte payload produced by the engine.
 */
export interface CheckpointStore {
  /** Atomically replace the latest checkpoint with `data`. */
  write(data: Uint8Array): Promise<void>;
  /** The newest valid checkpoint, or undefined when none was ever written. Throws CheckpointError when all are corrupt. */
  read(): Promise<Uint8Array | undefined>;
  /** A short description for messages, e.g. the directory. */
  describe(): string;
}

/** Where saveAsTextFiles writes. The Node implementation writes folders atomically (temp + rename). */
export interface FileSink {
  /**
   * Write one batch's output as the folder `name` (e.g. `prefix-<ms>.suffix`)
   * holding part files of text lines; a reader must never see a half-written folder.
   */
  writeBatch(name: string, parts: readonly (readonly string[])[]): Promise<void>;
}

/**
 * The receiver behind `/ingest`: the engine's side of the ingestion server.
 * Connections hand it committed frames (`storeFrame`); it stores their bytes
 * as they are (no decoding: the kernels read them in the batch arena).
 *
 * Position (with a write-ahead log): the WAL offset just past the last frame
 * stored, read by the engine right after each batch is cut, so a checkpoint
 * of batch T names exactly the WAL prefix that batches up to T hold.
 * Recovery restores it (`restorePosition`), the server reads the WAL from
 * there and hands the entries over (`replayOnStart`), and they are stored
 * again when the receiver starts: the first batch after a restart holds
 * every record that was acknowledged but not yet in a checkpointed batch.
 */

import { Receiver } from '../../receivers/receiver.js';
import { CheckpointError } from '../../errors.js';

export interface WalPosition {
  readonly walOffset: number;
}

function isWalPosition(value: unknown): value is WalPosition {
  return typeof value === 'object' && value !== null && Number.isSafeInteger((value as WalPosition).walOffset) && (value as WalPosition).walOffset >= 0;
}

export class IngestReceiver extends Receiver {
  /** WAL offset past the last frame stored; undefined without a WAL. */
  private storedOffset: number | undefined;
  private restored: number | undefined;
  private replay: { payloads: Uint8Array[]; endOffset: number } | undefined;

  constructor() {
    super('WebSocketIngest');
  }

  /** The position a restart continues from (undefined: none was checkpointed). */
  get restoredOffset(): number | undefined {
    return this.restored;
  }

  /** With a WAL: its entries from the restored position, stored first when the receiver starts, and the WAL's end. */
  replayOnStart(payloads: Uint8Array[], endOffset: number): void {
    this.replay = { payloads, endOffset };
    this.storedOffset = endOffset;
  }

  onStart(): void {
    const replay = this.replay;
    this.replay = undefined;
    if (replay === undefined) return;
    for (const payload of replay.payloads) if (payload.length > 0) this.storeLines(payload);
    this.storedOffset = replay.endOffset;
  }

  onStop(): void {}

  /**
   * Stores one committed frame's records; `walEnd` is the WAL offset past its
   * entry. False (nothing stored) once the receiver has stopped: the caller
   * must then not acknowledge the frame.
   */
  storeFrame(payload: Uint8Array, walEnd: number | undefined): boolean {
    if (this.isStopped()) return false;
    if (payload.length > 0) this.storeLines(payload);
    if (walEnd !== undefined) this.storedOffset = walEnd;
    return true;
  }

  override checkpointPosition(): unknown {
    return this.storedOffset === undefined ? undefined : { walOffset: this.storedOffset };
  }

  override restorePosition(position: unknown): void {
    if (!isWalPosition(position)) {
      throw new CheckpointError(
        'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE',
        `The checkpoint's ingestion position ${JSON.stringify(position)} is not a write-ahead log offset: the directory was written by another source. Give \`sluice serve\` its own checkpoint directory.`,
      );
    }
    this.restored = position.walOffset;
  }
}

/**
 * What a stream with state implements so checkpoints can save and restore it
 * (window buffers, running aggregates, updateStateByKey/mapWithState state).
 * The state is data (see value-codec.ts), never closures, so a restart with
 * changed operator code pours the old state into the new operator.
 */
import type { DStream } from '../engine/dstream.js';
import { CheckpointError } from '../errors.js';

export interface CheckpointableStream {
  /** The operator kind; a checkpoint holding another kind under this operator's name is incompatible. */
  readonly checkpointKind: string;
  /**
   * Called after every batch's outputs succeeded, before old batches are
   * forgotten: computes what the operator has not yet for batch `time` (its
   * own state at `time` when no output reached it, parent batches a later
   * window needs), so state advances every batch and survives a crash.
   */
  advanceTo(time: number): void;
  /** The state as of batch `time` (just advanced to), as data. */
  checkpointState(time: number): unknown;
  /** Replaces the state with `state` from a checkpoint (before start); throws via `reader` when it does not fit. */
  restoreState(state: unknown, reader: StateReader): void;
}

export function isCheckpointable(stream: DStream<unknown>): stream is DStream<unknown> & CheckpointableStream {
  const candidate = stream as Partial<CheckpointableStream>;
  return typeof candidate.checkpointKind === 'string' && typeof candidate.advanceTo === 'function' && typeof candidate.checkpointState === 'function';
}

/** Checks pieces of one operator's saved state, with errors that name the operator and say what to do. */
export class StateReader {
  constructor(
    readonly operatorName: string,
    readonly kind: string,
  ) {}

  incompatible(problem: string): CheckpointError {
    return new CheckpointError(
      'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE',
      `The checkpoint's state for ${this.kind} '${this.operatorName}' does not fit the operator now: ${problem}. ` +
        'Restore the operator as it was, give the changed operator a new .name(...) and a checkpoint store without its old state, ' +
        'or start from an empty checkpoint store (state is then lost).',
    );
  }

  record(value: unknown, what = 'the state'): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw this.incompatible(`${what} is not an object`);
    return value as Record<string, unknown>;
  }

  array(value: unknown, what: string): unknown[] {
    if (!Array.isArray(value)) throw this.incompatible(`${what} is not a list`);
    return value;
  }

  number(value: unknown, what: string): number {
    if (typeof value !== 'number') throw this.incompatible(`${what} is not a number`);
    return value;
  }

  /** Saved parameters (window length, slide) must equal the operator's now. */
  same(saved: unknown, now: number, what: string): void {
    if (saved !== now) throw this.incompatible(`${what} was ${String(saved)} ms when the checkpoint was written and is ${now} ms now`);
  }
}

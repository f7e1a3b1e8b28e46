import { Batch, type Pair } from '../batch/batch.js';
import { KeyMap } from '../batch/key-map.js';
import type { CheckpointableStream, StateReader } from '../checkpoint/checkpointable.js';
import { DStream } from '../engine/dstream.js';
import { IllegalStateError, InvalidArgumentError, ScaleOutError } from '../errors.js';
import { formatElement } from '../batch/format.js';
import { ChangeLog, type PartitionedState, type StateChange } from './partitioned-state.js';
import { State, type StateSpec } from './state-spec.js';

/** Spark's InternalMapWithStateDStream checkpoints (and so fully scans) its state every 10 slides unless told otherwise. */
const FULL_SCAN_SLIDES = 10;

interface KeyState<S> {
  state: S;
  /** Batch time of the last record for this key (or of the update that created it). */
  touched: number;
}

/**
 * `mapWithState(spec)` (Spark's MapWithStateDStream): for every (key, value)
 * record of a batch, in order, `fn(key, value, state)` is called; its return
 * value is emitted, and what it did to `state` is kept. With a timeout, a key
 * whose last record is older than (batch time − timeout) gets one call with
 * `state.isTimingOut()` and value undefined (its return value is emitted
 * too) and is removed. A record refreshes its key's idle time even when the
 * function does not update the state (as in Spark). Needs a checkpoint.
 *
 * Idle keys are looked for only in the batches that fully scan the state:
 * Spark removes timed-out keys only when it checkpoints the state RDD, every
 * `checkpoint(ms)` (default 10 slides) from the zero time, so a key idle past
 * its timeout is called up to that much later. Doing the same keeps the
 * emitted records batch for batch equal to Spark's.
 *
 * For scale-out the state can be partitioned (see partitioned-state.ts):
 * each key's entry is then `[state, last record time]`, and a batch's
 * changes are the entries it created, updated, refreshed or removed.
 */
export class MapWithStateDStream<K, V, S, M> extends DStream<M> implements CheckpointableStream, PartitionedState {
  readonly checkpointKind = 'mapWithState';
  readonly dependencies: readonly DStream<unknown>[];
  private readonly store = new KeyMap<K, KeyState<S>>();
  private readonly cell = new State<S>();
  private lastTime: number | undefined;
  private initialised = false;
  private snapshotsWanted = false;
  private readonly snapshots = new Map<number, Pair<K, S>[]>();
  /** Each batch's changes, once partitioned state is enabled. */
  private changeLog: ChangeLog | undefined;
  /** Partitioned: initial entries loaded since the last batch (reported as its changes). */
  private loadedInitial: [K, S, number][] = [];
  /** Set by checkpoint(ms); undefined: FULL_SCAN_SLIDES slides. */
  private fullScanIntervalMs: number | undefined;

  constructor(
    readonly parent: DStream<Pair<K, V>>,
    readonly spec: StateSpec<K, V, S, M>,
  ) {
    super(parent.context);
    this.dependencies = [parent];
    this.requiresCheckpoint = true;
  }

  compute(time: number): Batch<M> | undefined {
    if (this.lastTime !== undefined && time <= this.lastTime) return undefined; // before a recovery point
    if (!this.initialised) {
      for (const [key, state] of this.spec.getInitialState() ?? []) this.store.set(key, { state, touched: time });
      this.initialised = true;
    }
    const fn = this.spec.mappingFunction;
    const timeout = this.spec.getTimeout();
    const changes = this.changeLog === undefined ? undefined : new BatchChanges<K>();
    for (const [key, state, touched] of this.loadedInitial) changes?.note(key, true, [state, touched]);
    this.loadedInitial = [];
    const mapped: M[] = [];
    for (const [key, value] of this.parent.getOrCompute(time)?.collect() ?? []) {
      const current = this.store.get(key);
      const result = fn(key, value, this.cell.wrap(current !== undefined, current?.state));
      const outcome = this.cell.outcome();
      if (outcome === 'removed') {
        this.store.delete(key);
        changes?.note(key, current !== undefined, undefined);
      } else if (outcome === 'updated' || (current !== undefined && timeout !== undefined)) {
        const entry = { state: this.cell.get(), touched: time };
        this.store.set(key, entry);
        changes?.note(key, current !== undefined, [entry.state, time]);
      }
      mapped.push(result);
    }
    if (timeout !== undefined && this.isFullScan(time)) {
      const threshold = time - timeout;
      for (const [key, entry] of this.store) {
        if (entry.touched >= threshold) continue;
        mapped.push(fn(key, undefined, this.cell.wrap(true, entry.state, true)));
        this.store.delete(key);
        changes?.note(key, true, undefined);
      }
    }
    if (changes !== undefined) this.changeLog?.record(time, changes.list(), this.slideDurationMs);
    this.lastTime = time;
    if (this.snapshotsWanted) {
      this.snapshots.set(time, [...this.store].map(([k, e]) => [k, e.state] as const));
      for (const t of [...this.snapshots.keys()]) if (t < time) this.snapshots.delete(t);
    }
    return Batch.of(mapped);
  }

  /**
   * Spark's `checkpoint(interval)` on a mapWithState stream: how often its
   * state is fully scanned, which is when keys idle past the StateSpec's
   * timeout get their timing-out call (default 10 × the batch interval, or
   * of the input's slide when it is windowed). A multiple of that; sluice
   * checkpoints the state itself at the context's checkpoint interval
   * whatever this says.
   */
  checkpoint(intervalMs: number): this {
    if (this.context.state !== 'initialized') throw new IllegalStateError('checkpoint(intervalMs) must be called before start()');
    const slide = this.slideDurationMs;
    if (!Number.isSafeInteger(intervalMs) || intervalMs < slide || intervalMs % slide !== 0) {
      throw new InvalidArgumentError(
        `The checkpoint interval of mapWithState must be a multiple of its batch interval (${slide} ms, its input's slide), got ${String(intervalMs)}; e.g. ${slide * FULL_SCAN_SLIDES}`,
      );
    }
    this.fullScanIntervalMs = intervalMs;
    return this;
  }

  private isFullScan(time: number): boolean {
    const interval = this.fullScanIntervalMs ?? FULL_SCAN_SLIDES * this.slideDurationMs;
    return (time - (this.zeroTime ?? 0)) % interval === 0;
  }

  /** The (key, state) pairs right after batch `time` (after computing it). */
  snapshotAt(time: number): Pair<K, S>[] | undefined {
    this.snapshotsWanted = true;
    this.getOrCompute(time);
    return this.snapshots.get(time);
  }

  /** Every batch: all (key, state) pairs after that batch (Spark's stateSnapshots). */
  stateSnapshots(): DStream<Pair<K, S>> {
    this.snapshotsWanted = true;
    return new StateSnapshotsDStream(this);
  }

  get partitionedStateEnabled(): boolean {
    return this.changeLog !== undefined;
  }

  enablePartitionedState(): void {
    // The initial state is loaded partition by partition (loadInitialState), not at the first batch.
    this.initialised = true;
    this.requiresCheckpoint = false;
    this.changeLog ??= new ChangeLog();
  }

  loadInitialState(accept: (key: unknown) => boolean, time: number): number | undefined {
    const initial = this.spec.getInitialState();
    if (initial === undefined) return undefined;
    let loaded = 0;
    for (const [key, state] of initial) {
      if (!accept(key)) continue;
      this.store.set(key, { state, touched: time });
      this.loadedInitial.push([key, state, time]);
      loaded++;
    }
    return loaded;
  }

  /** Entries are `[key, [state, last record time]]`, or `[key, undefined]` for a removed key. */
  changesAt(time: number): StateChange[] {
    if (this.changeLog === undefined) throw new IllegalStateError('mapWithState: changesAt needs enablePartitionedState() before start()');
    this.advanceTo(time);
    return this.changeLog.at(time, 'mapWithState');
  }

  dropKeys(drop: (key: unknown) => boolean): void {
    this.loadedInitial = this.loadedInitial.filter(([key]) => !drop(key));
    for (const [key] of [...this.store]) if (drop(key)) this.store.delete(key);
  }

  /** Entries as changesAt gives them: `[key, [state, last record time]]`. */
  restoreEntries(entries: Iterable<readonly [unknown, unknown]>): void {
    for (const [key, data] of entries) {
      if (data === undefined) {
        this.store.delete(key as K);
        continue;
      }
      if (!Array.isArray(data) || data.length !== 2 || typeof data[1] !== 'number') {
        throw new ScaleOutError(
          'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT',
          `mapWithState cannot restore ${formatElement(data)} for key ${formatElement(key)}: its entries are [state, last record time]. ` +
            'The changelog was written by another operator; give this one a new .name(...) or delete the changelog topic (its state is then lost).',
        );
      }
      this.store.set(key as K, { state: data[0] as S, touched: data[1] });
    }
  }

  stateKeys(): Iterable<unknown> {
    return [...this.store].map(([key]) => key);
  }

  advanceTo(time: number): void {
    if (this.isTimeValid(time)) this.getOrCompute(time);
  }

  checkpointState(): unknown {
    return {
      lastTime: this.lastTime ?? null,
      initialised: this.initialised,
      entries: [...this.store].map(([k, e]) => [k, e.state, e.touched]),
    };
  }

  restoreState(state: unknown, reader: StateReader): void {
    const saved = reader.record(state);
    const entries = reader.array(saved.entries, 'the state entries').map((raw) => {
      const entry = reader.array(raw, 'a state entry');
      if (entry.length !== 3) throw reader.incompatible('a state entry is not [key, state, last record time]');
      return [entry[0] as K, { state: entry[1] as S, touched: reader.number(entry[2], 'a last record time') }] as const;
    });
    this.store.clear();
    for (const [k, e] of entries) this.store.set(k, e);
    this.initialised = saved.initialised === true;
    this.lastTime = saved.lastTime === null ? undefined : reader.number(saved.lastTime, 'lastTime');
  }
}

/** One batch's changes: the last state of each key touched, leaving out keys that had no state before or after. */
class BatchChanges<K> {
  private readonly byKey = new KeyMap<K, { existedBefore: boolean; data: unknown }>();

  note(key: K, existed: boolean, data: unknown): void {
    const seen = this.byKey.get(key);
    if (seen === undefined) this.byKey.set(key, { existedBefore: existed, data });
    else seen.data = data;
  }

  list(): StateChange[] {
    const changes: StateChange[] = [];
    for (const [key, { existedBefore, data }] of this.byKey) if (existedBefore || data !== undefined) changes.push([key, data]);
    return changes;
  }
}

/** stateSnapshots(): the state after each batch of a MapWithStateDStream. */
class StateSnapshotsDStream<K, S> extends DStream<Pair<K, S>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(private readonly source: DStream<unknown> & { snapshotAt(time: number): Pair<K, S>[] | undefined }) {
    super(source.context);
    this.dependencies = [source];
  }

  compute(time: number): Batch<Pair<K, S>> | undefined {
    const snapshot = this.source.snapshotAt(time);
    return snapshot === undefined ? undefined : Batch.of(snapshot);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Spark's mapWithState: calls the spec's function for every (key, value)
     * record with the key's State, emits what it returns; `.stateSnapshots()`
     * on the result gives the whole state after each batch. Needs ssc.checkpoint(store).
     */
    mapWithState<K, V, S, M>(this: DStream<Pair<K, V>>, spec: StateSpec<K, V, S, M>): MapWithStateDStream<K, V, S, M>;
  }
}

DStream.prototype.mapWithState = function mapWithState<K, V, S, M>(this: DStream<Pair<K, V>>, spec: StateSpec<K, V, S, M>): MapWithStateDStream<K, V, S, M> {
  if (spec === undefined || typeof spec.mappingFunction !== 'function') {
    throw new InvalidArgumentError('mapWithState needs a StateSpec: StateSpec.function((key, value, state) => mapped)');
  }
  return new MapWithStateDStream(this, spec);
};

import type { Batch, Pair } from '../batch/batch.js';
import { IllegalStateError, InvalidArgumentError } from '../errors.js';
import { requirePairs } from '../arguments.js';

/**
 * The state of one key inside a mapWithState function (Spark's State).
 * `get()` throws when there is none; `getOption()` returns undefined instead.
 * While the key is timing out (`isTimingOut()`), it can be read but not
 * updated or removed: it is removed right after the call.
 */
export class State<S> {
  private value: S | undefined;
  private present = false;
  private timingOut = false;
  private updated = false;
  private removed = false;

  exists(): boolean {
    return this.present;
  }

  get(): S {
    if (!this.present) throw new IllegalStateError('State.get(): this key has no state; check exists() or use getOption()');
    return this.value as S;
  }

  getOption(): S | undefined {
    return this.present ? this.value : undefined;
  }

  update(newState: S): void {
    if (this.removed) throw new IllegalStateError('Cannot update the state after it has been removed');
    if (this.timingOut) throw new IllegalStateError('Cannot update the state of a key that is timing out');
    this.value = newState;
    this.present = true;
    this.updated = true;
  }

  remove(): void {
    if (this.timingOut) throw new IllegalStateError('Cannot remove the state of a key that is timing out (it is removed after this call)');
    if (this.removed) throw new IllegalStateError('Cannot remove the state that has already been removed');
    this.value = undefined;
    this.present = false;
    this.removed = true;
  }

  /** True in the one call a key gets when it has been idle past the StateSpec's timeout. */
  isTimingOut(): boolean {
    return this.timingOut;
  }

  /** Engine only: points this object at one key's state before a call. */
  wrap(present: boolean, value: S | undefined, timingOut = false): this {
    this.present = present;
    this.value = present ? value : undefined;
    this.timingOut = timingOut;
    this.updated = false;
    this.removed = false;
    return this;
  }

  /** Engine only: what the call did. */
  outcome(): 'updated' | 'removed' | 'unchanged' {
    return this.removed ? 'removed' : this.updated ? 'updated' : 'unchanged';
  }
}

/** `(key, value, state) → mapped record`; value is undefined only in the timing-out call. */
export type MappingFunction<K, V, S, M> = (key: K, value: V | undefined, state: State<S>) => M;

/**
 * What mapWithState runs (Spark's StateSpec):
 * `StateSpec.function(fn).timeout(ms).initialState(pairs)`.
 */
export class StateSpec<K, V, S, M> {
  private timeoutValue: number | undefined;
  private initial: readonly Pair<K, S>[] | undefined;

  private constructor(readonly mappingFunction: MappingFunction<K, V, S, M>) {}

  static function<K, V, S, M>(mappingFunction: MappingFunction<K, V, S, M>): StateSpec<K, V, S, M> {
    if (typeof mappingFunction !== 'function') throw new InvalidArgumentError('StateSpec.function needs a function (key, value, state) => mapped');
    return new StateSpec(mappingFunction);
  }

  /**
   * Keys idle (no record) for longer than `ms` get one last call with
   * `state.isTimingOut()` true and value undefined, and are then removed.
   */
  timeout(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms <= 0) throw new InvalidArgumentError(`StateSpec.timeout needs a positive whole number of ms, got ${ms}`);
    this.timeoutValue = ms;
    return this;
  }

  /** State to start from, as (key, state) pairs (an array or a Batch). */
  initialState(pairs: Iterable<Pair<K, S>> | Batch<Pair<K, S>>): this {
    const batch = pairs as Partial<Batch<Pair<K, S>>> | null | undefined;
    this.initial = requirePairs<Pair<K, S>>('StateSpec.initialState(pairs)', typeof batch?.collect === 'function' ? batch.collect() : pairs);
    return this;
  }

  getTimeout(): number | undefined {
    return this.timeoutValue;
  }

  getInitialState(): readonly Pair<K, S>[] | undefined {
    return this.initial;
  }
}

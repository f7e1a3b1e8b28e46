/** The fallback's AggregateTable: a JS Map with exactly the kernel table's semantics and order. */
import type { AggregateTable, KeyedValues, Reducer } from './api.js';
import { InvalidArgumentError } from '../errors.js';
import { compareRanked } from './keys.js';
import { checkReducer, foldValue, requireSubtractable } from './table-rules.js';

export class JsTable implements AggregateTable {
  readonly reducer: Reducer;
  private readonly map = new Map<string, number>();
  private disposed = false;

  constructor(reducer: Reducer) {
    checkReducer(reducer);
    this.reducer = reducer;
  }

  get size(): number {
    return this.map.size;
  }

  mergeValues(input: KeyedValues): void {
    this.check();
    checkPairs(input);
    const { keys, values } = input;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      this.map.set(key, foldValue(this.reducer, this.map.get(key), values[i] as number));
    }
  }

  mergeTable(other: AggregateTable): void {
    this.mergeValues(other.entries());
  }

  subtractValues(input: KeyedValues, options: { dropZero?: boolean } = {}): void {
    this.check();
    requireSubtractable(this.reducer);
    checkPairs(input);
    const { keys, values } = input;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const result = (this.map.get(key) ?? 0) - (values[i] as number);
      if (options.dropZero === true && result === 0) this.map.delete(key);
      else this.map.set(key, result);
    }
  }

  subtractTable(other: AggregateTable, options: { dropZero?: boolean } = {}): void {
    this.subtractValues(other.entries(), options);
  }

  get(key: string): number | undefined {
    this.check();
    return this.map.get(key);
  }

  entries(): KeyedValues {
    this.check();
    return { keys: Array.from(this.map.keys()), values: Float64Array.from(this.map.values()) };
  }

  top(k: number): KeyedValues {
    this.check();
    const keys = Array.from(this.map.keys());
    const map = this.map;
    keys.sort((a, b) => compareRanked(a, map.get(a) as number, b, map.get(b) as number));
    const best = keys.slice(0, Math.max(0, Math.floor(k)));
    return { keys: best, values: Float64Array.from(best, (key) => map.get(key) as number) };
  }

  clear(): void {
    this.check();
    this.map.clear();
  }

  dispose(): void {
    this.disposed = true;
    this.map.clear();
  }

  private check(): void {
    if (this.disposed) throw new InvalidArgumentError('This table was disposed; create a new one');
  }
}

function checkPairs(input: KeyedValues): void {
  if (input.keys.length !== input.values.length) {
    throw new InvalidArgumentError(`KeyedValues has ${input.keys.length} keys but ${input.values.length} values`);
  }
}

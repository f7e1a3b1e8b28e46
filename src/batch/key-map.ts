/**
 * A Map whose keys compare the way Spark compares pair keys: by value.
 * Spark keys are often tuples — `((province, city), amount)` — and a JS
 * Map would compare arrays by identity, so `[['a', 1], 2]` and
 * `[['a', 1], 3]` would be two keys. Here arrays (tuples) and plain objects
 * are equal when their contents are; everything else compares as in a Map
 * (SameValueZero; other objects by identity). Entries keep insertion order
 * and the first key object seen for each key.
 */
export class KeyMap<K, V> implements Iterable<[K, V]> {
  /** Primitive and identity keys as themselves; structured keys as their interned Tuple. */
  private readonly map = new Map<unknown, V>();
  private readonly tuples = new Map<string, Tuple<K>>();

  constructor(entries?: Iterable<readonly [K, V]>) {
    if (entries !== undefined) for (const [key, value] of entries) this.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(this.lookup(key, false));
  }

  has(key: K): boolean {
    return this.map.has(this.lookup(key, false));
  }

  set(key: K, value: V): this {
    this.map.set(this.lookup(key, true), value);
    return this;
  }

  delete(key: K): boolean {
    const found = this.lookup(key, false);
    if (found instanceof Tuple) this.tuples.delete(found.text);
    return this.map.delete(found);
  }

  clear(): void {
    this.map.clear();
    this.tuples.clear();
  }

  *[Symbol.iterator](): IterableIterator<[K, V]> {
    for (const [found, value] of this.map) yield [found instanceof Tuple ? (found.key as K) : (found as K), value];
  }

  /** What `key` is stored under: itself, or the Tuple interned for its contents (created when `create`). */
  private lookup(key: K, create: boolean): unknown {
    if (!isStructured(key)) return key;
    const text = canonical(key);
    let tuple = this.tuples.get(text);
    if (tuple === undefined) {
      tuple = new Tuple(key, text);
      if (create) this.tuples.set(text, tuple);
    }
    return tuple;
  }
}

class Tuple<K> {
  constructor(
    readonly key: K,
    readonly text: string,
  ) {}
}

function isStructured(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const identities = new WeakMap<object, number>();
const symbols = new Map<symbol, number>();
let nextIdentity = 0;

/** Text equal for equal keys and different for different ones (numbers by SameValueZero, as Map does). */
function canonical(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol': {
      let id = symbols.get(value);
      if (id === undefined) symbols.set(value, (id = nextIdentity++));
      return `#${id}`;
    }
    default:
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isStructured(value)) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  const object = value as object;
  let id = identities.get(object);
  if (id === undefined) identities.set(object, (id = nextIdentity++));
  return `#${id}`;
}

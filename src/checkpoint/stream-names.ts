/**
 * Stable names for what a checkpoint saves. A checkpoint matches state to
 * operators, and positions to sources, by name: the one given with
 * `.name('counts')`, else `<kind>#<n>` (the n-th operator of that kind, or
 * the n-th input, in creation order). Default names survive changed
 * closures and added stateless operators; name stateful operators yourself
 * when the graph may change more than that.
 */
import { DStream } from '../engine/dstream.js';
import type { DStreamGraph } from '../engine/graph.js';
import { InvalidArgumentError } from '../errors.js';
import { type CheckpointableStream, isCheckpointable } from './checkpointable.js';

const givenNames = new WeakMap<DStream<unknown>, string>();
const stateHolders = new WeakMap<DStream<unknown>, DStream<unknown>>();

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Names this stream for checkpoints: its state (or, for an input, its
     * source position) is saved and recovered under `name`. Returns the stream.
     */
    name(name: string): this;
  }
}

DStream.prototype.name = function name<S extends DStream<unknown>>(this: S, name: string): S {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`name(name) needs a non-empty string, got ${JSON.stringify(name)}`);
  givenNames.set(this, name);
  const holder = stateHolders.get(this);
  if (holder !== undefined) givenNames.set(holder, name);
  return this;
};

/**
 * For operators built from others (countByValueAndWindow = map + reduceByKeyAndWindow):
 * naming `outer` names `holder`, the stream that keeps the state.
 */
export function nameStateHolder<T extends DStream<unknown>>(outer: T, holder: DStream<unknown>): T {
  stateHolders.set(outer, holder);
  return outer;
}

export interface NamedGraph {
  readonly operators: ReadonlyMap<string, DStream<unknown> & CheckpointableStream>;
  readonly inputs: ReadonlyMap<string, DStream<unknown>>;
}

/** Every checkpointable operator and input of `graph` by name; throws on a name used twice. */
export function nameGraph(graph: DStreamGraph): NamedGraph {
  const operators = new Map<string, DStream<unknown> & CheckpointableStream>();
  const inputs = new Map<string, DStream<unknown>>();
  const ordinals = new Map<string, number>();
  const claim = (map: Map<string, DStream<unknown>>, stream: DStream<unknown>, kind: string): void => {
    const n = ordinals.get(kind) ?? 0;
    ordinals.set(kind, n + 1);
    const name = givenNames.get(stream) ?? `${kind}#${n}`;
    if (operators.has(name) || inputs.has(name)) {
      throw new InvalidArgumentError(`Two streams are named '${name}' for checkpoints; give each stateful operator and input a different .name(...)`);
    }
    map.set(name, stream);
  };
  for (const input of graph.inputStreams()) claim(inputs, input, 'input');
  for (const stream of graph.streams()) {
    if (isCheckpointable(stream)) claim(operators as Map<string, DStream<unknown>>, stream, stream.checkpointKind);
  }
  return { operators, inputs };
}

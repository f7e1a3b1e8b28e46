/**
 * The planner: recognises chains of built-in functions ending in
 * reduceByKey and replaces them with one kernel call on the batch's bytes.
 *
 *   lines ─flatMap(splitWhitespace)─map(pairWithOne)─reduceByKey(sum|count)  → kernels.wordCount
 *   lines ─flatMap(keyValueFields(d, k, v))─reduceByKey(sum|count|min|max)   → kernels.aggregateDelimited
 *
 * The fused stream keeps the unfused chain as its fallback, used when the
 * context has no kernels or the batch is not lines (see Batch.asRecordBatch).
 */
import type { Pair } from '../batch/batch.js';
import { builtinOf } from '../batch/builtins.js';
import type { DStream } from '../engine/dstream.js';
import { FlatMappedDStream } from './flat-map-dstream.js';
import { FusedDelimitedDStream } from './fused-delimited-dstream.js';
import { FusedWordCountDStream } from './fused-word-count-dstream.js';
import { MappedDStream } from './map-dstream.js';

export function fuseReduceByKey<K, V>(plain: {
  readonly parent: DStream<Pair<K, V>>;
  readonly reduceFn: (a: V, b: V) => V;
} & DStream<Pair<K, V>>): DStream<Pair<K, V>> | undefined {
  const reducer = builtinOf(plain.reduceFn);
  if (reducer?.kind !== 'reducer') return undefined;
  const parent: DStream<unknown> = plain.parent;

  if (parent instanceof MappedDStream && builtinOf(parent.fn)?.kind === 'pairWithOne') {
    const words: DStream<unknown> = parent.parent;
    if (words instanceof FlatMappedDStream && builtinOf(words.fn)?.kind === 'splitWhitespace') {
      if (reducer.reducer !== 'sum' && reducer.reducer !== 'count') return undefined;
      const fallback = plain as unknown as DStream<Pair<string, number>>;
      return new FusedWordCountDStream(words.parent as DStream<string>, fallback) as unknown as DStream<Pair<K, V>>;
    }
    return undefined;
  }

  if (parent instanceof FlatMappedDStream) {
    const parser = builtinOf(parent.fn);
    if (parser?.kind !== 'keyValueFields') return undefined;
    const fallback = plain as unknown as DStream<Pair<string, number>>;
    const spec = { ...parser.spec, reducer: reducer.reducer };
    const parsed = parent as FlatMappedDStream<string, Pair<string, number>>;
    return new FusedDelimitedDStream(parsed.parent as DStream<string>, spec, fallback, parsed) as unknown as DStream<Pair<K, V>>;
  }
  return undefined;
}

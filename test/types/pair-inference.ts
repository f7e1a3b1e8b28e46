/**
 * Type-level tests: this file has no runtime test; it must compile under the
 * project's `tsc --strict` (npm run build fails otherwise). Each `@ts-expect-error`
 * line must be an error, so the checks cannot pass vacuously.
 */
import { type DStream, type Pair, StreamingContext, pairWithOne, sum } from '../../src/index.js';

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<T>(_check: T): void {}

declare const ssc: StreamingContext;
declare const lines: DStream<string>;

// The first thing every Spark user writes: `w => [w, 1]` is a pair, so reduceByKey accepts it.
const counts = lines.flatMap((line) => line.split(' ')).map((w) => [w, 1]).reduceByKey((a, b) => a + b);
expectType<Equal<typeof counts, DStream<Pair<string, number>>>>(true);

// Block bodies, nested array maps inside flatMap, and `as const` all give pairs.
const blockBody = lines.map((w) => {
  if (w === '') return [w, 0];
  return [w, w.length];
});
expectType<Equal<typeof blockBody, DStream<[string, number]>>>(true);
const nested = lines.flatMap((line) => line.split(' ').map((w) => [w, 1]));
expectType<Equal<typeof nested, DStream<[string, number]>>>(true);
const asConst = lines.map((w) => [w, 1] as const);
expectType<Equal<typeof asConst, DStream<readonly [string, 1]>>>(true);

// Results that are not array literals keep their own types.
expectType<Equal<ReturnType<typeof lines.map<number>>, DStream<number>>>(true);
const words = lines.map((line) => line.split(' '));
expectType<Equal<typeof words, DStream<string[]>>>(true);
const objects = lines.map((w) => ({ w }));
expectType<Equal<typeof objects, DStream<{ w: string }>>>(true);

// The same for a Batch inside transform / foreachRDD, and for the built-ins.
const perBatch = lines.transform((batch) => batch.map((w) => [w, 1]).reduceByKey(sum).sortByKey());
expectType<Equal<typeof perBatch, DStream<Pair<string, number>>>>(true);
const builtins = lines.map(pairWithOne).reduceByKey(sum);
expectType<Equal<typeof builtins, DStream<Pair<string, number>>>>(true);

// Pairs passed straight on to another stream operation stay pairs.
const joined = counts.join(lines.map((w) => [w, w.length]));
expectType<Equal<typeof joined, DStream<Pair<string, readonly [number, number]>>>>(true);
const unioned = ssc.union(lines.map((w) => [w, 1]), counts);
expectType<Equal<typeof unioned, DStream<Pair<string, number>>>>(true);

// Pair operations on streams that are not pairs are compile errors, not runtime TypeErrors.
// @ts-expect-error a stream of words has no keys to reduce by
lines.reduceByKey((a: number, b: number) => a + b);
// @ts-expect-error a three-element tuple is not a pair
lines.map((w) => [w, 1, 2]).reduceByKey((a, b) => a + b);
// @ts-expect-error map needs a function
lines.map(undefined);

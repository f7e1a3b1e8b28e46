import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, ManualClock, StreamingContext } from '../../src/index.js';
import { socketTextStream, textFileStream } from '../../src/node/streams.js';

const invalid = (pattern: RegExp) => (e: unknown): boolean => e instanceof InvalidArgumentError && e.code === 'ERR_SLUICE_INVALID_ARGUMENT' && pattern.test(e.message);

test('socketTextStream and textFileStream check their arguments at the call, with what to pass, never a TypeError', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), logger: null });
  // Spark's ssc.socketTextStream(host, port) written without the context.
  assert.throws(() => socketTextStream('127.0.0.1' as unknown as StreamingContext, 9999 as unknown as string, undefined as unknown as number), invalid(/the host must be a non-empty string.*got the number 9999/));
  assert.throws(() => socketTextStream(undefined as unknown as StreamingContext, '127.0.0.1', 9999), invalid(/take the StreamingContext first/));
  assert.throws(() => socketTextStream(ssc, undefined as unknown as string, 9999), invalid(/socketTextStream: the host must be a non-empty string, e.g. "127.0.0.1"; got undefined/));
  assert.throws(() => socketTextStream(ssc, '127.0.0.1', '9999' as unknown as number), invalid(/port must be an integer in 1..65535, got the string "9999"/));
  assert.throws(() => socketTextStream(ssc, '127.0.0.1', 9999, { invalidUtf8: 'skip' as 'drop' }), invalid(/invalidUtf8 must be 'keep' \(the default\) or 'drop'/));
  assert.throws(() => textFileStream(ssc, undefined as unknown as string), invalid(/textFileStream: the directory must be a non-empty string.*got undefined/));
  assert.throws(() => textFileStream(ssc, 5 as unknown as string), invalid(/got the number 5/));
  assert.throws(() => textFileStream(undefined as unknown as StreamingContext, '/tmp'), invalid(/take the StreamingContext first/));
});

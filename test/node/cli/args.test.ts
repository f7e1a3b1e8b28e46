import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, parseDuration } from '../../../src/node/cli/args.js';
import { InvalidArgumentError } from '../../../src/index.js';

test('parseDuration: a number with a unit (ms, s, m, h) in whole milliseconds', () => {
  assert.equal(parseDuration('batch', '500ms'), 500);
  assert.equal(parseDuration('batch', '1s'), 1000);
  assert.equal(parseDuration('batch', '1.5s'), 1500);
  assert.equal(parseDuration('batch', '2m'), 120_000);
  assert.equal(parseDuration('batch', '1h'), 3_600_000);
  // Beyond one 2^31 ms timer: the engine's clock waits in several timers.
  assert.equal(parseDuration('batch', '600h'), 2_160_000_000);
});

test('parseDuration: a bare number is refused with both readings offered, as is anything else that is not a duration', () => {
  assert.throws(() => parseDuration('batch', '500'), (e: unknown) => e instanceof InvalidArgumentError && e.message === '--batch "500" needs a unit: 500ms or 500s (also m, h).');
  for (const bad of ['0s', '1.5ms', '-1s', 's', '1 d', '']) assert.throws(() => parseDuration('batch', bad), /is not a duration; use e\.g\. 500ms, 1s, 2m/);
});

test('parseDuration: a maximum (the connect timeout is one timer) is a clear error, in ms and days', () => {
  assert.equal(parseDuration('connect-timeout', '24d'.replace('d', 'h'), 2 ** 31 - 1), 86_400_000);
  assert.throws(() => parseDuration('connect-timeout', '600h', 2 ** 31 - 1), /--connect-timeout "600h" is too long: at most 2147483647 ms \(24 days\)\./);
});

test('parseArgs: an empty value is refused (an empty --checkpoint or --save would write into the current directory)', () => {
  const specs = [{ name: 'checkpoint', type: 'string', value: 'DIR', help: '' }] as const;
  for (const argv of [['--checkpoint', ''], ['--checkpoint='], ['--checkpoint', '  ']]) {
    assert.throws(() => parseArgs('wordcount', argv, specs), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'sluice wordcount: --checkpoint needs a value (DIR), not an empty string.');
  }
  assert.equal(parseArgs('wordcount', ['--checkpoint', './ckpt'], specs).values.get('checkpoint'), './ckpt');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { javaDoubleString } from '../../../src/node/cli/java-double.js';

test("javaDoubleString prints as Java's Double.toString (what Spark's print shows for a Double)", () => {
  // Expected values are what Double.toString gives on the JVM.
  const cases: [number, string][] = [
    [65, '65.0'],
    [100.5, '100.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [-3.25, '-3.25'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [0.00012345, '1.2345E-4'],
    [9999999.99, '9999999.99'],
    [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'],
    [1e21, '1.0E21'],
    [123456789012, '1.23456789012E11'],
    [0.1 + 0.2, '0.30000000000000004'],
    [Number.MAX_VALUE, '1.7976931348623157E308'],
    [Number.MIN_VALUE, '4.9E-324'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ];
  for (const [value, java] of cases) assert.equal(javaDoubleString(value), java, String(value));
});

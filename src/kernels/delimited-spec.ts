/** Validation of a DelimitedSpec, shared by the WASM and the fallback implementations. */
import type { DelimitedSpec } from './api.js';
import { InvalidArgumentError } from '../errors.js';

export interface CheckedDelimitedSpec {
  readonly delimiterCode: number;
  readonly keyField: number;
  readonly valueField: number;
  /** -1 when any field count is accepted. */
  readonly expectedFields: number;
}

export function checkDelimitedSpec(spec: DelimitedSpec): CheckedDelimitedSpec {
  const code = spec.delimiter.length === 1 ? spec.delimiter.charCodeAt(0) : -1;
  if (code < 0 || code > 0x7f || code === 0x0a) {
    throw new InvalidArgumentError(`The delimiter must be one ASCII character other than '\\n', got ${JSON.stringify(spec.delimiter)}`);
  }
  for (const [name, value] of [['keyField', spec.keyField], ['valueField', spec.valueField]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
      throw new InvalidArgumentError(`${name} must be a field index in [0, 65535], got ${String(value)}`);
    }
  }
  const expected = spec.expectedFields;
  if (expected !== undefined && (!Number.isInteger(expected) || expected < 1 || expected > 0xffff)) {
    throw new InvalidArgumentError(`expectedFields must be a positive integer, got ${String(expected)}`);
  }
  if (expected !== undefined && (spec.keyField >= expected || spec.valueField >= expected)) {
    throw new InvalidArgumentError(`keyField and valueField must be below expectedFields (${expected})`);
  }
  if (!['sum', 'count', 'min', 'max'].includes(spec.reducer)) {
    throw new InvalidArgumentError(`Unknown reducer ${JSON.stringify(spec.reducer)}; use sum, count, min or max`);
  }
  return { delimiterCode: code, keyField: spec.keyField, valueField: spec.valueField, expectedFields: expected ?? -1 };
}

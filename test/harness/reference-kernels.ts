import type { DelimitedResult, DelimitedSpec, Kernels, KeyedValues } from '../../src/internals.js';

/**
 * A deliberately plain, byte-level reference for the two fused kernel calls
 * (wordCount, aggregateDelimited), written independently of the engine's JS
 * path so that "fast path == JS path" tests compare two implementations.
 * It records every call, so tests can prove the fused path really ran.
 * Only the methods the planner calls exist; the cast to Kernels is for the
 * context option.
 */
export interface ReferenceKernels extends Kernels {
  readonly calls: { wordCount: number; aggregateDelimited: number };
}

const decoder = new TextDecoder();
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

function toKeyed(map: Map<string, number>): KeyedValues {
  return { keys: [...map.keys()], values: Float64Array.from(map.values()) };
}

function wordCount(bytes: Uint8Array): KeyedValues {
  const counts = new Map<string, number>();
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const boundary = i === bytes.length || WHITESPACE.has(bytes[i] as number);
    if (boundary && start !== -1) {
      const word = decoder.decode(bytes.subarray(start, i));
      counts.set(word, (counts.get(word) ?? 0) + 1);
      start = -1;
    } else if (!boundary && start === -1) start = i;
  }
  return toKeyed(counts);
}

function isJavaSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\x0B' || c === '\f' || c === '\r';
}

/** [ws][+-](digits[.digits*] | .digits)[(e|E)[+-]digits][ws], char by char, at most 2^959 in magnitude. */
function parseValue(field: string): number | undefined {
  let i = 0;
  let j = field.length;
  while (i < j && isJavaSpace(field[i] as string)) i++;
  while (j > i && isJavaSpace(field[j - 1] as string)) j--;
  const s = field.slice(i, j);
  let p = 0;
  const isDigit = (k: number): boolean => k < s.length && (s[k] as string) >= '0' && (s[k] as string) <= '9';
  if (s[p] === '+' || s[p] === '-') p++;
  let digits = 0;
  while (isDigit(p)) { p++; digits++; }
  if (s[p] === '.') {
    p++;
    while (isDigit(p)) { p++; digits++; }
  }
  if (digits === 0) return undefined;
  if (s[p] === 'e' || s[p] === 'E') {
    p++;
    if (s[p] === '+' || s[p] === '-') p++;
    let expDigits = 0;
    while (isDigit(p)) { p++; expDigits++; }
    if (expDigits === 0) return undefined;
  }
  if (p !== s.length) return undefined;
  // Magnitudes beyond 2^959 (MAX_FIELD_MAGNITUDE), overflow included, are malformed.
  const value = Number(s);
  return Math.abs(value) <= 2 ** 959 ? value : undefined;
}

function aggregateDelimited(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult {
  const text = decoder.decode(bytes);
  const lines = text === '' ? [] : text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const acc = new Map<string, number>();
  let malformed = 0;
  for (const line of lines) {
    const fields = line.split(spec.delimiter);
    const key = fields[spec.keyField];
    const raw = fields[spec.valueField];
    const value = raw === undefined ? undefined : parseValue(raw);
    if ((spec.expectedFields !== undefined && fields.length !== spec.expectedFields) || key === undefined || key === '' || value === undefined) {
      malformed++;
      continue;
    }
    const previous = acc.get(key);
    const next =
      spec.reducer === 'count' ? (previous ?? 0) + 1
      : previous === undefined ? value
      : spec.reducer === 'sum' ? previous + value
      : spec.reducer === 'min' ? Math.min(previous, value)
      : Math.max(previous, value);
    acc.set(key, next);
  }
  return { result: toKeyed(acc), malformed };
}

export function referenceKernels(): ReferenceKernels {
  const calls = { wordCount: 0, aggregateDelimited: 0 };
  const kernels = {
    kind: 'js' as const,
    calls,
    wordCount(bytes: Uint8Array): KeyedValues {
      calls.wordCount++;
      return wordCount(bytes);
    },
    aggregateDelimited(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult {
      calls.aggregateDelimited++;
      return aggregateDelimited(bytes, spec);
    },
  };
  return kernels as unknown as ReferenceKernels;
}

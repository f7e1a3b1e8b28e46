/**
 * Plain reference implementations the kernels are tested against: Java `\s`
 * splitting with a regex and a Map, deliberately written the obvious way.
 * Keys are compared byte-exactly (one char per byte) and decoded at the end.
 */
import type { KeyedValues } from '../../src/kernels/api.js';

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function toByteString(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 4096) parts.push(String.fromCharCode(...bytes.subarray(i, i + 4096)));
  return parts.join('');
}

function fromByteString(s: string): string {
  return decoder.decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

export function referenceTokens(bytes: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /[^ \t\n\x0B\f\r]+/g;
  const text = toByteString(bytes);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** Word counts in first-occurrence order. */
export function referenceWordCount(bytes: Uint8Array): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const word of toByteString(bytes).split(/[ \t\n\x0B\f\r]+/)) {
    if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return Array.from(counts, ([k, v]) => [fromByteString(k), v]);
}

export interface ReferenceDelimited {
  readonly pairs: Array<[string, number]>;
  readonly malformed: number;
}

/** Sum (or count/min/max) of field v by field k over '\n'-separated lines, the way a careful JS user would write it. */
export function referenceDelimited(
  bytes: Uint8Array, delimiter: string, keyField: number, valueField: number, reducer: 'sum' | 'count' | 'min' | 'max', expectedFields?: number,
): ReferenceDelimited {
  const text = toByteString(bytes);
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  if (text === '') lines.pop();
  const acc = new Map<string, number>();
  let malformed = 0;
  const numberForm = /^[ \t\n\x0B\f\r]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t\n\x0B\f\r]*$/;
  for (const line of lines) {
    const fields = line.split(delimiter);
    const key = fields[keyField];
    const raw = fields[valueField];
    // Beyond 2^959 a value is malformed (see MAX_FIELD_MAGNITUDE), also for count.
    if ((expectedFields !== undefined && fields.length !== expectedFields) || key === undefined || key === '' || raw === undefined || !numberForm.test(raw) || !(Math.abs(Number(raw)) <= 2 ** 959)) {
      malformed++;
      continue;
    }
    const v = reducer === 'count' ? 1 : Number(raw);
    const cur = acc.get(key);
    acc.set(key, cur === undefined ? v : reducer === 'min' ? Math.min(cur, v) : reducer === 'max' ? Math.max(cur, v) : cur + v);
  }
  return { pairs: Array.from(acc, ([k, v]) => [fromByteString(k), v]), malformed };
}

export function pairsOf(kv: KeyedValues): Array<[string, number]> {
  return kv.keys.map((k, i) => [k, kv.values[i] as number]);
}

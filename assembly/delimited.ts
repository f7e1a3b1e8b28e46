/*
 * Delimited lines (e.g. the orders stream `orderId,provinceId,orderPrice`):
 * the key field and a numeric value field of every '\n'-separated line,
 * reduced by key into a table. Fields are found 16 bytes at a time with SIMD.
 *
 * A line is malformed, skipped and counted, when: expectedFields >= 0 and its
 * field count differs; it has too few fields for the key or the value; the
 * key field is empty; or the value field is not a number (see number.ts).
 * An empty line has one empty field, so it is malformed too. Keys are taken
 * byte for byte (a '\r' of CRLF input stays in a last-field key); the value
 * may be surrounded by whitespace.
 */
import {
  LAYOUT_H_REDUCER, LAYOUT_REDUCER_COUNT, LAYOUT_H_SEED,
  LAYOUT_MODE_FOLD, LAYOUT_STATS_LINES, LAYOUT_STATS_MALFORMED,
} from './layout';
import { hashRange } from './hash';
import { parseDecimal } from './number';
import { upsert } from './table';

/**
 * Reduces the lines of [ptr, ptr+len) into t. Adds to the u32 counters at
 * `stats` (lines, malformed). Returns the bytes consumed: len when done, or
 * the start of the line whose key did not fit (its counters are not yet
 * added), after which the caller grows the table and resumes there.
 */
export function aggregateDelimited(
  t: usize, ptr: usize, len: usize, delimiter: u32, keyField: u32, valueField: u32, expectedFields: i32, stats: usize,
): usize {
  const end = ptr + len;
  const seed = load<u64>(t, LAYOUT_H_SEED);
  const countLines = load<u32>(t, LAYOUT_H_REDUCER) == LAYOUT_REDUCER_COUNT;
  const delimiters = i8x16.splat(<i8>delimiter);
  const newlines = i8x16.splat(0x0a);
  let lines: u32 = 0;
  let malformed: u32 = 0;
  let lineStart = ptr;
  while (lineStart < end) {
    let field: u32 = 0;
    let fieldStart = lineStart;
    let keyStart: usize = 0;
    let keyEnd: usize = 0;
    let valueStart: usize = 0;
    let valueEnd: usize = 0;
    let lineEnd = end;
    let chunk = lineStart;
    let done = false;
    while (!done) {
      if (chunk >= end) {
        // Last line without '\n': close its last field at the end of input.
        if (field == keyField) { keyStart = fieldStart; keyEnd = end; }
        if (field == valueField) { valueStart = fieldStart; valueEnd = end; }
        field++;
        lineEnd = end;
        break;
      }
      const v = v128.load(chunk);
      let m = <u32>i8x16.bitmask(v128.or(i8x16.eq(v, delimiters), i8x16.eq(v, newlines)));
      if (chunk + 16 > end) m &= (<u32>1 << <u32>(end - chunk)) - 1;
      while (m != 0) {
        const at = chunk + ctz<u32>(m);
        m &= m - 1;
        if (field == keyField) { keyStart = fieldStart; keyEnd = at; }
        if (field == valueField) { valueStart = fieldStart; valueEnd = at; }
        field++;
        fieldStart = at + 1;
        if (load<u8>(at) == 0x0a) {
          lineEnd = at;
          done = true;
          break;
        }
      }
      chunk += 16;
    }
    const next = lineEnd + 1;
    let bad = (expectedFields >= 0 && field != <u32>expectedFields) || field <= keyField || field <= valueField || keyEnd == keyStart;
    let value: f64 = 0;
    if (!bad) {
      value = parseDecimal(valueStart, valueEnd);
      bad = value != value;
    }
    if (bad) {
      malformed++;
    } else {
      const keyLength = keyEnd - keyStart;
      const bits: u64 = countLines ? 1 : reinterpret<u64>(value);
      if (!upsert(t, keyStart, keyLength, hashRange(keyStart, keyLength, seed), bits, !countLines, LAYOUT_MODE_FOLD)) {
        store<u32>(stats + LAYOUT_STATS_LINES, load<u32>(stats + LAYOUT_STATS_LINES) + lines);
        store<u32>(stats + LAYOUT_STATS_MALFORMED, load<u32>(stats + LAYOUT_STATS_MALFORMED) + malformed);
        return lineStart - ptr;
      }
    }
    lines++;
    lineStart = next;
  }
  store<u32>(stats + LAYOUT_STATS_LINES, load<u32>(stats + LAYOUT_STATS_LINES) + lines);
  store<u32>(stats + LAYOUT_STATS_MALFORMED, load<u32>(stats + LAYOUT_STATS_MALFORMED) + malformed);
  return len;
}

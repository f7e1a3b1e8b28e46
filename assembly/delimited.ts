/*
 * Delimited lines (e.g. the orders stream `orderId,provinceId,orderPrice`):
 * the key field and a numeric value field of every '\n'-separated line,
 * reduced by key into a table.
 *
 * A line is malformed, skipped and counted, when: expectedFields >= 0 and its
 * field count differs; it has too few fields for the key or the value; the
 * key field is empty; or the value field is not a number (see number.ts).
 * An empty line has one empty field, so it is malformed too. Keys are taken
 * byte for byte (a '\r' of CRLF input stays in a last-field key); the value
 * may be surrounded by whitespace.
 *
 * Speed: the input is scanned once, 64 bytes at a time, as one bit mask of
 * delimiter and '\n' positions that runs across line ends (a line costs no
 * fresh loads of its own); short values take number.ts's fixed-point path; a
 * sum into an existing key adds in place without the general upsert.
 */
import {
  LAYOUT_H_REDUCER, LAYOUT_REDUCER_COUNT, LAYOUT_REDUCER_SUM, LAYOUT_H_SEED, LAYOUT_H_CAPACITY,
  LAYOUT_H_VALUE_KIND, LAYOUT_VALUE_F64, LAYOUT_S_ENTRY, LAYOUT_E_VALUE,
  LAYOUT_MODE_FOLD, LAYOUT_STATS_LINES, LAYOUT_STATS_MALFORMED,
} from './layout';
import { hashRange } from './hash';
import { parseDecimal, parseShortFixed } from './number';
import { arenaOf, probe, slotsOf, upsert } from './table';

/** Bit i set when byte p+i (i < 16) is the delimiter or '\n'. */
// @ts-ignore: decorator
@inline function fieldEnds16(p: usize, delimiters: v128): u32 {
  const v = v128.load(p);
  return <u32>i8x16.bitmask(v128.or(i8x16.eq(v, delimiters), i8x16.eq(v, i8x16.splat(0x0a))));
}

/**
 * Bit i set when byte p+i (i < 64) is the delimiter or '\n' and lies before
 * `end`. Never starts a load at or past `end`, so it reads at most 15 bytes
 * beyond it (within LAYOUT_INPUT_PADDING).
 */
// @ts-ignore: decorator
@inline function fieldEnds64(p: usize, end: usize, delimiters: v128): u64 {
  if (p + 64 <= end) {
    return <u64>fieldEnds16(p, delimiters) | (<u64>fieldEnds16(p + 16, delimiters) << 16) |
      (<u64>fieldEnds16(p + 32, delimiters) << 32) | (<u64>fieldEnds16(p + 48, delimiters) << 48);
  }
  let m: u64 = 0;
  for (let lane: usize = 0; lane < 64 && p + lane < end; lane += 16) m |= <u64>fieldEnds16(p + lane, delimiters) << <u64>lane;
  const valid = end - p;
  return m & ((<u64>1 << <u64>valid) - 1);
}

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
  const reducer = load<u32>(t, LAYOUT_H_REDUCER);
  const countLines = reducer == LAYOUT_REDUCER_COUNT;
  // Sums of f64 values into an f64 table may add in place to a key that exists.
  const inPlace = reducer == LAYOUT_REDUCER_SUM && load<u32>(t, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
  const slots = slotsOf(t);
  const arena = arenaOf(t);
  const mask = load<u32>(t, LAYOUT_H_CAPACITY) - 1;
  const delimiters = i8x16.splat(<i8>delimiter);
  let lines: u32 = 0;
  let malformed: u32 = 0;
  let lineStart = ptr;
  let field: u32 = 0;
  let fieldStart = ptr;
  let keyStart: usize = 0;
  let keyEnd: usize = 0;
  let valueStart: usize = 0;
  let valueEnd: usize = 0;
  let block = ptr;
  let lastLine = false;
  let m = block < end ? fieldEnds64(block, end, delimiters) : 0;
  while (true) {
    let at: usize;
    if (m != 0) {
      at = block + <usize>ctz<u64>(m);
      m &= m - 1;
    } else {
      block += 64;
      if (block < end) {
        m = fieldEnds64(block, end, delimiters);
        continue;
      }
      // The last line has no '\n': its last field ends at the end of input.
      if (lineStart >= end) break;
      at = end;
      lastLine = true;
    }
    if (field == keyField) { keyStart = fieldStart; keyEnd = at; }
    if (field == valueField) { valueStart = fieldStart; valueEnd = at; }
    field++;
    fieldStart = at + 1;
    if (!lastLine && load<u8>(at) != 0x0a) continue;

    let bad = (expectedFields >= 0 && field != <u32>expectedFields) || field <= keyField || field <= valueField || keyEnd == keyStart;
    let value: f64 = 0;
    if (!bad) {
      // The fixed-point path inline; anything else through the full grammar.
      const valueLength = valueEnd - valueStart;
      value = valueLength - 1 < 8 ? parseShortFixed(valueStart, valueLength) : -1;
      if (value < 0) value = parseDecimal(valueStart, valueEnd);
      bad = value != value;
    }
    if (bad) {
      malformed++;
    } else {
      const keyLength = keyEnd - keyStart;
      const h = hashRange(keyStart, keyLength, seed);
      let done = false;
      if (inPlace) {
        const s = probe(slots, arena, mask, keyStart, keyLength, h);
        const ref = load<u32>(s, LAYOUT_S_ENTRY);
        if (ref != 0) {
          const e = arena + ref - 1;
          store<f64>(e, load<f64>(e, LAYOUT_E_VALUE) + value, LAYOUT_E_VALUE);
          done = true;
        }
      }
      if (!done && !upsert(t, keyStart, keyLength, h, countLines ? 1 : reinterpret<u64>(value), !countLines, LAYOUT_MODE_FOLD)) {
        store<u32>(stats + LAYOUT_STATS_LINES, load<u32>(stats + LAYOUT_STATS_LINES) + lines);
        store<u32>(stats + LAYOUT_STATS_MALFORMED, load<u32>(stats + LAYOUT_STATS_MALFORMED) + malformed);
        return lineStart - ptr;
      }
    }
    lines++;
    if (lastLine) break;
    lineStart = at + 1;
    field = 0;
  }
  store<u32>(stats + LAYOUT_STATS_LINES, load<u32>(stats + LAYOUT_STATS_LINES) + lines);
  store<u32>(stats + LAYOUT_STATS_MALFORMED, load<u32>(stats + LAYOUT_STATS_MALFORMED) + malformed);
  return len;
}

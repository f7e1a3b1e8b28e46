/**
 * Reading the entries of one write-ahead-log segment (see
 * write-ahead-log.ts for the entry layout). A crash mid-append can only tear
 * the last entry, so an invalid entry with nothing valid after it is a torn
 * tail. An invalid entry with valid entries after it is corruption (a
 * flipped bit on disk): those later entries were acknowledged, so the scan
 * finds where they start again and keeps them, and reports the damaged
 * bytes instead of dropping everything behind them.
 */
import { crc32 } from '../../checkpoint/crc32.js';

export const ENTRY_HEADER_BYTES = 8;

/** Bytes [start, end) of a segment that held no readable entry. */
export interface DamagedRange {
  readonly start: number;
  readonly end: number;
}

export interface ScannedEntries {
  readonly payloads: Uint8Array[];
  /** Just past the last valid entry: what follows is a torn tail (or nothing). */
  readonly validEnd: number;
  /** Corrupt stretches skipped between valid entries (their records are lost). */
  readonly damaged: DamagedRange[];
}

/** The payload of the entry at `at`, or undefined when no whole, intact entry starts there. */
function entryAt(bytes: Uint8Array, view: DataView, at: number): Uint8Array | undefined {
  if (at + ENTRY_HEADER_BYTES > bytes.length) return undefined;
  const end = at + ENTRY_HEADER_BYTES + view.getUint32(at, true);
  if (end > bytes.length) return undefined;
  const payload = bytes.subarray(at + ENTRY_HEADER_BYTES, end);
  return crc32(payload) === view.getUint32(at + 4, true) ? payload : undefined;
}

/**
 * Where whole, intact entries start again after the damaged entry at `at`,
 * or undefined when none follow (a torn tail). A candidate must hold an
 * intact entry followed by another intact entry, the end, or a torn tail,
 * so bytes inside a payload that happen to look like an entry (a 1 in 2^32
 * CRC match) are not taken for one. Text payloads rarely hold a plausible
 * length, so few candidates get as far as a CRC.
 */
function resynchronise(bytes: Uint8Array, view: DataView, at: number): number | undefined {
  for (let candidate = at + 1; candidate + ENTRY_HEADER_BYTES <= bytes.length; candidate++) {
    const payload = entryAt(bytes, view, candidate);
    if (payload === undefined) continue;
    const next = candidate + ENTRY_HEADER_BYTES + payload.length;
    const tornOrEnd = next + ENTRY_HEADER_BYTES > bytes.length || next + ENTRY_HEADER_BYTES + view.getUint32(next, true) > bytes.length;
    if (tornOrEnd || entryAt(bytes, view, next) !== undefined) return candidate;
  }
  return undefined;
}

/** The valid entries of `bytes` from entry boundary `from`, skipping corrupt stretches that valid entries follow. */
export function scanEntries(bytes: Uint8Array, from: number): ScannedEntries {
  const payloads: Uint8Array[] = [];
  const damaged: DamagedRange[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = from;
  while (at + ENTRY_HEADER_BYTES <= bytes.length) {
    const payload = entryAt(bytes, view, at);
    if (payload !== undefined) {
      payloads.push(payload);
      at += ENTRY_HEADER_BYTES + payload.length;
      continue;
    }
    const next = resynchronise(bytes, view, at);
    if (next === undefined) break;
    damaged.push({ start: at, end: next });
    at = next;
  }
  return { payloads, validEnd: at, damaged };
}

/**
 * One ingestion frame → the records it holds, as bytes for the engine.
 *
 * A frame holds whole records: `\n`-separated lines, where a final `\n` ends
 * the last line rather than starting an empty one ("a\nb" and "a\nb\n" are
 * both two records, "" is none, "\n" is one empty record). Line ends are the
 * socket source's ('\n', "\r\n" or a lone '\r'; see LineSplitter), so a
 * record never spans two frames and the same text gives the same records
 * over TCP and over WebSocket.
 *
 * Dropped, and counted, rather than stored: lines longer than `maxLineBytes`.
 * Lines of binary frames that are not valid UTF-8 are kept, read with U+FFFD
 * for the ill-formed bytes as over TCP (line-intake.ts), and counted (text
 * frames are validated by `ws`, which closes the connection with 1007).
 *
 * The common frame (no '\r', no over-long line) is stored as it is,
 * without a copy: the builder splits it at its '\n's. A frame with '\r's
 * but no room for an over-long line is copied once with its line ends
 * written as '\n' (a frame of a million lone '\r's, split a line at a time,
 * held the main thread for ~300 ms); only frames longer than a line go
 * through the line splitter.
 */

import { isUtf8 } from 'node:buffer';
import { countNewlines } from '../../kernels/newlines.js';
import { LineSplitter } from '../../receivers/line-splitter.js';
import { invalidUtf8Lines } from '../invalid-utf8-lines.js';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

export interface FrameRecords {
  /** The kept records' bytes (lines; the last one may lack its '\n'), empty when none. */
  readonly payload: Uint8Array;
  /** Records in the frame, kept or dropped: the client's sequence numbers advance by this much. */
  readonly records: number;
  readonly dropped: number;
  /** Kept records that are not valid UTF-8 (only counted where `checkUtf8`). */
  readonly invalidUtf8: number;
}

/** `checkUtf8`: count the records that are not valid UTF-8 (binary frames; `ws` has validated text frames). */
export function frameRecords(frame: Uint8Array, maxLineBytes: number, checkUtf8: boolean): FrameRecords {
  if (frame.length === 0) return { payload: frame, records: 0, dropped: 0, invalidUtf8: 0 };
  const valid = !checkUtf8 || isUtf8(frame);
  if (frame.length <= maxLineBytes) {
    const lines = frame.indexOf(CARRIAGE_RETURN) === -1 ? frame : withNewlineEnds(frame);
    const endsWithNewline = lines[lines.length - 1] === NEWLINE;
    return { payload: lines, records: countNewlines(lines) + (endsWithNewline ? 0 : 1), dropped: 0, invalidUtf8: valid ? 0 : invalidUtf8Lines(lines) };
  }
  const kept: Uint8Array[] = [];
  let records = 0;
  let dropped = 0;
  let invalidUtf8 = 0;
  const keep = (line: Uint8Array): void => {
    records++;
    if (!valid && !isUtf8(line)) invalidUtf8++;
    kept.push(line, NEWLINE_BYTE);
  };
  const splitter = new LineSplitter(keep, {
    maxLineBytes,
    onOversize: () => {
      records++;
      dropped++;
    },
  });
  splitter.push(frame);
  splitter.flush();
  return { payload: kept.length === 0 ? new Uint8Array(0) : Buffer.concat(kept), records, dropped, invalidUtf8 };
}

const NEWLINE_BYTE = new Uint8Array([NEWLINE]);

/** The frame with each line end ("\r\n", a lone '\r' or '\n', as LineSplitter reads them) written as one '\n'. */
function withNewlineEnds(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length);
  let n = 0;
  for (let i = 0; i < frame.length; i++) {
    const byte = frame[i] as number;
    if (byte !== CARRIAGE_RETURN) {
      out[n++] = byte;
      continue;
    }
    out[n++] = NEWLINE;
    if (frame[i + 1] === NEWLINE) i++;
  }
  return out.subarray(0, n);
}

/** Counting the lines of received bytes that are not valid UTF-8 (kept, and read with U+FFFD), for sockets, files and WebSocket frames alike. */
import { isUtf8 } from 'node:buffer';

const NEWLINE = 10;

/** How many of the '\n'-separated lines of `bytes` are not valid UTF-8 (a last line without '\n' counts when it is not empty). */
export function invalidUtf8Lines(bytes: Uint8Array): number {
  let count = 0;
  let start = 0;
  while (start <= bytes.length) {
    const nl = bytes.indexOf(NEWLINE, start);
    const end = nl === -1 ? bytes.length : nl;
    if ((end > start || nl !== -1) && !isUtf8(bytes.subarray(start, end))) count++;
    if (nl === -1) break;
    start = nl + 1;
  }
  return count;
}

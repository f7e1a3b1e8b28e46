/**
 * Turning many keys into JS strings at once. Decoding per key costs far more
 * than the counting itself (design.md), so keys are always decoded with one
 * TextDecoder call over all their bytes and split afterwards.
 */

// ignoreBOM keeps a key that starts with U+FEFF intact.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Keys written back to back, each followed by one separator byte, with the
 * UTF-16 length TextDecoder gives each key (computed by the kernel, so any
 * bytes work, invalid UTF-8 and separators inside keys included).
 */
export function decodeSeparatedKeys(bytes: Uint8Array, utf16Lengths: ArrayLike<number>, count: number): string[] {
  // TextDecoder refuses views of a SharedArrayBuffer in some hosts; slice() copies to a plain buffer.
  const plain = typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer ? bytes.slice() : bytes;
  const text = decoder.decode(plain);
  const keys = new Array<string>(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const len = utf16Lengths[i] as number;
    keys[i] = text.slice(pos, pos + len);
    pos += len + 1;
  }
  return keys;
}

/**
 * Keys held as byte strings (one char per byte, see latin1.ts) turned into
 * the strings TextDecoder gives their bytes, with one decode for all.
 * Keys must not contain '\n' (tokens and delimited fields never do).
 */
export function decodeByteStringKeys(keys: readonly string[]): string[] {
  if (keys.length === 0) return [];
  const joined = keys.join('\n');
  const bytes = new Uint8Array(joined.length);
  for (let i = 0; i < joined.length; i++) bytes[i] = joined.charCodeAt(i);
  return decoder.decode(bytes).split('\n');
}

/**
 * Orders strings by code point (= UTF-8 byte order, the order the WASM
 * kernels use), not by UTF-16 code unit as `<` does: they differ when a
 * surrogate pair meets a unit in U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Top-K order shared by both implementations: larger value first, NaN last, ties by key (code point order). */
export function compareRanked(ak: string, av: number, bk: string, bv: number): number {
  const an = Number.isNaN(av);
  const bn = Number.isNaN(bv);
  if (an !== bn) return an ? 1 : -1;
  if (!an && av !== bv) return av > bv ? -1 : 1;
  return compareCodePoints(ak, bk);
}

/**
 * Text access for the pure-TypeScript fallback. Input bytes become one JS
 * string: valid UTF-8 is decoded once; anything else becomes a byte string
 * (one char per byte) so that keys stay byte-exact like the kernels' keys,
 * and is decoded only for the results (decodeByteStringKeys). Whitespace and
 * delimiters are ASCII, so scanning either string finds the same boundaries
 * as scanning the bytes.
 */
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface InputText {
  readonly text: string;
  /** True when `text` holds one char per byte (the input was not valid UTF-8). */
  readonly byteString: boolean;
}

export function inputText(bytes: Uint8Array): InputText {
  try {
    return { text: strictDecoder.decode(bytes), byteString: false };
  } catch {
    return { text: byteString(bytes), byteString: true };
  }
}

/** One char per byte (not TextDecoder('latin1'), which is windows-1252 for 0x80..0x9F). */
export function byteString(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  }
  return parts.join('');
}

/** Java `\s`: space, \t, \n, \x0B, \f, \r. */
export function isJavaSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

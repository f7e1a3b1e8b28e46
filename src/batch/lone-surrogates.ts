/**
 * Strings that UTF-8 cannot hold as they are. A lone surrogate (a UTF-16
 * unit in U+D800..U+DFFF not in a pair) has no UTF-8 form: encoding turns it
 * into U+FFFD, so "a\ud800" and "a\udc00", two keys to a closure, would be
 * one key to a kernel reading the bytes. Strings holding one therefore stay
 * on the JS path: batches of them are not handed to kernels as bytes, and
 * keys holding one are not put in kernel tables.
 */

// In unicode mode a well-formed pair is one code point, so only lone surrogates match \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * The K largest (key, value) pairs of a batch's results, largest value
 * first, ties by key: what /results subscribers and the dashboard show.
 * One pass with a small sorted buffer, so a batch with a million distinct
 * keys is never sorted whole. Results that are not (key, number) pairs have
 * no order by value: their first K elements are taken as they are.
 *
 * String keys (and string elements) longer than MAX_SHOWN_KEY_LENGTH are
 * cut to it and end in '…'. Keys come from the data, each up to the line
 * limit (1 MiB): uncut, ten such words per batch made every message too big
 * for a subscriber's send buffer (so one that reads was dropped with 4000),
 * and the feed's 300 batches of history held gigabytes.
 */

/** Longest string key shown, in UTF-16 code units. */
export const MAX_SHOWN_KEY_LENGTH = 1024;

function shown(text: string): string {
  if (text.length <= MAX_SHOWN_KEY_LENGTH) return text;
  // Never end on half a surrogate pair.
  const high = text.charCodeAt(MAX_SHOWN_KEY_LENGTH - 1);
  const cut = text.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_SHOWN_KEY_LENGTH - 1 : MAX_SHOWN_KEY_LENGTH);
  // Copied, not kept as the slice: a V8 slice holds on to the whole key it was cut from.
  return `${Buffer.from(cut, 'utf16le').toString('utf16le')}…`;
}

function shownElement(element: unknown): unknown {
  if (typeof element === 'string') return shown(element);
  return isKeyValue(element) && typeof element[0] === 'string' && element[0].length > MAX_SHOWN_KEY_LENGTH ? [shown(element[0]), element[1]] : element;
}

export type KeyValue = readonly [unknown, number];

export function isKeyValue(element: unknown): element is KeyValue {
  return Array.isArray(element) && element.length === 2 && typeof element[1] === 'number';
}

/** Negative when `a` ranks before `b`. */
function rank(a: KeyValue, b: KeyValue): number {
  if (a[1] !== b[1]) return b[1] - a[1] || (Number.isNaN(a[1]) ? 1 : -1);
  const ka = String(a[0]);
  const kb = String(b[0]);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function topK(elements: readonly unknown[], k: number): unknown[] {
  if (k <= 0) return [];
  if (!elements.every(isKeyValue)) return elements.slice(0, k).map(shownElement);
  const best: KeyValue[] = [];
  for (const element of elements as readonly KeyValue[]) {
    if (best.length === k && rank(element, best[k - 1] as KeyValue) >= 0) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rank(best[mid] as KeyValue, element) <= 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, element);
    if (best.length > k) best.pop();
  }
  return best.map(shownElement);
}

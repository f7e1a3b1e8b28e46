/**
 * The K largest (key, value) pairs of a batch's results, largest value
 * first, ties by key: what /results subscribers and the dashboard show.
 * One pass with a small sorted buffer, so a batch with a million distinct
 * keys is never sorted whole. Results that are not (key, number) pairs have
 * no order by value: their first K elements are taken as they are.
 */

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
  if (!elements.every(isKeyValue)) return elements.slice(0, k);
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
  return best;
}

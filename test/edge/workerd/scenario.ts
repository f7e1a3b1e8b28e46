/**
 * The requests the example Worker gets in the workerd test, and what it must
 * answer. The Node side runs the same scenario on Node and requires equal results.
 */
export const FIRST_LINES = 'the quick brown fox\njumps over the lazy dog\nthe dog barks  the fox runs\n长江 长江 这是 黄河\n';
export const SECOND_LINES = 'naïve Straße\tthe  fox\n🙂 🙂 长江\n';
export const ORDERS = ['20171026000001,7,10.25', '20171026000002,3,5.5', '20171026000003,7,4.75', 'broken line', '20171026000004,12,100'];

export const AFTER_FIRST: Record<string, number> = {
  the: 4, quick: 1, brown: 1, fox: 2, jumps: 1, over: 1, lazy: 1, dog: 2, barks: 1, runs: 1, 长江: 2, 这是: 1, 黄河: 1,
};
export const AFTER_SECOND: Record<string, number> = { ...AFTER_FIRST, the: 5, fox: 3, 长江: 3, naïve: 1, Straße: 1, '🙂': 2 };
export const ORDER_TOTALS: Record<string, number> = { '7': 15, '3': 5.5, '12': 100 };

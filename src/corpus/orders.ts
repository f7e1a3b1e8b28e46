import { Rng } from './prng.js';
import type { LineSource } from './line-source.js';

export const PROVINCE_COUNT = 34;

export interface OrdersOptions {
  /** Share of lines made malformed on purpose (missing field, extra field, bad number). Default 0. */
  readonly malformedRate?: number;
}

/** Price fields that no decimal parser may accept (empty included). */
export const BAD_PRICES: readonly string[] = ['abc', '12.5x', '1..2', '', '4.00e', '--3'];

const ORDER_ID_PREFIX = '20171026';
const MAX_PRICE_CENTS = 100_000;

/**
 * The seed's orders stream, `orderId,provinceId,orderPrice`: increasing order
 * ids (a date prefix and a 10-digit counter), province ids 1..34, prices with
 * two decimals between 0.01 and 1000.00, log-uniform (many small orders, a few
 * large). With `malformedRate` > 0, that share of lines is broken in one of
 * three ways chosen uniformly: a missing field, an extra field, or a price
 * from BAD_PRICES.
 */
export class OrdersSource implements LineSource {
  private readonly rng: Rng;
  private readonly malformedRate: number;
  private orderNumber = 1;

  constructor(seed: number, options: OrdersOptions = {}) {
    this.rng = new Rng(seed);
    this.malformedRate = options.malformedRate ?? 0;
    if (!(this.malformedRate >= 0 && this.malformedRate <= 1)) {
      throw new RangeError(`malformedRate must be in [0, 1], got ${String(options.malformedRate)}`);
    }
  }

  nextLine(): string {
    const rng = this.rng;
    const orderId = ORDER_ID_PREFIX + String(this.orderNumber++).padStart(10, '0');
    const province = String(rng.nextRange(1, PROVINCE_COUNT));
    const cents = Math.max(1, Math.floor(Math.exp(rng.nextFloat() * Math.log(MAX_PRICE_CENTS + 1))));
    const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    if (this.malformedRate > 0 && rng.chance(this.malformedRate)) {
      switch (rng.nextInt(3)) {
        case 0:
          return `${orderId},${province}`;
        case 1:
          return `${orderId},${province},${price},${rng.nextRange(1, 9)}`;
        default:
          return `${orderId},${province},${rng.pick(BAD_PRICES)}`;
      }
    }
    return `${orderId},${province},${price}`;
  }
}

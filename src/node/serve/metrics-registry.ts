/**
 * A small metrics registry: counters, gauges (set, or read from a function
 * at scrape time) and histograms with fixed buckets, exposed in the
 * Prometheus text format (prometheus-text.ts). Names must match Prometheus'
 * `[a-zA-Z_:][a-zA-Z0-9_:]*`; registering one twice is a programming error.
 */

import { InvalidArgumentError } from '../../errors.js';
import { type MetricFamily, type MetricType, formatFamilies } from './prometheus-text.js';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Only goes up; `read` (instead of inc) takes the total from a running count kept elsewhere. */
export class Counter {
  private total = 0;
  constructor(private readonly read?: () => number) {}
  inc(amount = 1): void {
    if (amount > 0) this.total += amount;
  }
  get value(): number {
    return this.read === undefined ? this.total : this.read();
  }
}

/** Goes up and down; `read` takes the current value from elsewhere when it is asked for. */
export class Gauge {
  private current = 0;
  constructor(private readonly read?: () => number) {}
  set(value: number): void {
    this.current = value;
  }
  get value(): number {
    return this.read === undefined ? this.current : this.read();
  }
}

/** Counts observations into cumulative buckets (Prometheus `le` upper bounds), with their sum and count. */
export class Histogram {
  private readonly counts: number[];
  private total = 0;
  private observations = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
    this.total += value;
    this.observations++;
  }
  get count(): number {
    return this.observations;
  }
  get sum(): number {
    return this.total;
  }
  /** Cumulative count of observations ≤ each bucket bound. */
  bucketCounts(): readonly number[] {
    return this.counts;
  }
}

type Metric = Counter | Gauge | Histogram;

/** Named counters, gauges and histograms, written out in Prometheus text format (what `GET /metrics` serves). */
export class MetricsRegistry {
  private readonly entries = new Map<string, { help: string; metric: Metric }>();

  counter(name: string, help: string, read?: () => number): Counter {
    return this.add(name, help, new Counter(read));
  }

  gauge(name: string, help: string, read?: () => number): Gauge {
    return this.add(name, help, new Gauge(read));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && b <= (buckets[i - 1] as number))) {
      throw new InvalidArgumentError(`histogram ${name}: buckets must be increasing and non-empty, got [${buckets.join(', ')}]`);
    }
    return this.add(name, help, new Histogram(buckets));
  }

  families(): MetricFamily[] {
    const families: MetricFamily[] = [];
    for (const [name, { help, metric }] of this.entries) {
      if (metric instanceof Histogram) {
        const counts = metric.bucketCounts();
        const samples = metric.buckets.map((le, i) => ({ suffix: '_bucket', labels: { le: String(le) }, value: counts[i] as number }));
        samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: metric.count });
        families.push({ name, help, type: 'histogram', samples: [...samples, { suffix: '_sum', value: metric.sum }, { suffix: '_count', value: metric.count }] });
      } else {
        const type: MetricType = metric instanceof Counter ? 'counter' : 'gauge';
        families.push({ name, help, type, samples: [{ suffix: '', value: metric.value }] });
      }
    }
    return families;
  }

  /** The whole registry in the Prometheus text format. */
  exposition(): string {
    return formatFamilies(this.families());
  }

  private add<M extends Metric>(name: string, help: string, metric: M): M {
    if (!NAME.test(name)) throw new InvalidArgumentError(`"${name}" is not a Prometheus metric name (letters, digits, _ and :, not starting with a digit)`);
    if (this.entries.has(name)) throw new InvalidArgumentError(`metric ${name} is registered twice`);
    this.entries.set(name, { help, metric });
    return metric;
  }
}

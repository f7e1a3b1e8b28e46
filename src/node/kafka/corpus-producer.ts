/**
 * Writes generated corpus lines into a Kafka topic (`sluice gen --kafka`):
 * the seed's order stream (or any corpus) as record values, in sends of up
 * to 1000 lines, paced to `linesPerSecond` when given, until `count` lines
 * were written or `stop` is called.
 */
import type { LineSource } from '../../corpus/line-source.js';
import { InvalidArgumentError } from '../../errors.js';
import type { KafkaProducerPort } from './client.js';

export interface CorpusProducerOptions {
  readonly producer: KafkaProducerPort;
  readonly topic: string;
  readonly lines: LineSource;
  /** Stop after this many lines; default: until stopped. */
  readonly count?: number;
  readonly linesPerSecond?: number;
}

export class CorpusProducer {
  private stopped = false;
  private written = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly options: CorpusProducerOptions) {
    const { count, linesPerSecond } = options;
    if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0)) throw new InvalidArgumentError(`count must be a non-negative whole number of lines, got ${count}`);
    if (linesPerSecond !== undefined && !(Number.isFinite(linesPerSecond) && linesPerSecond > 0)) throw new InvalidArgumentError(`linesPerSecond must be positive, got ${linesPerSecond}`);
  }

  get linesWritten(): number {
    return this.written;
  }

  /** Ends the run after the send under way. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Produces until done or stopped; resolves with the number of lines written. */
  async run(): Promise<number> {
    const { producer, topic, lines, count, linesPerSecond } = this.options;
    const perSend = linesPerSecond === undefined ? 1000 : Math.max(1, Math.min(1000, Math.floor(linesPerSecond / 10)));
    const started = Date.now();
    while (!this.stopped && (count === undefined || this.written < count)) {
      const n = count === undefined ? perSend : Math.min(perSend, count - this.written);
      const batch = Array.from({ length: n }, () => ({ value: lines.nextLine() }));
      await producer.send(topic, batch);
      this.written += n;
      if (linesPerSecond !== undefined) {
        const due = started + (this.written / linesPerSecond) * 1000;
        if (due > Date.now()) await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, due - Date.now());
        });
      }
    }
    return this.written;
  }
}

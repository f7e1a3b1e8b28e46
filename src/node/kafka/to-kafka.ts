/**
 * The Kafka sink: `toKafka(stream, topic)` writes every element of every
 * batch to `topic`. When the stream comes from an exactly-once direct
 * stream, the records go into that batch's transaction, which commits with
 * the batch's consumed offsets after every output succeeded (so a
 * read_committed reader sees each batch's results once, whatever crashes);
 * otherwise they are written at once by an idempotent producer, and a send
 * that fails while the broker restarts is retried with backoff (reported to
 * the listeners; at least once: a retried send may write records twice).
 *
 * Elements become records by `key`/`value`/`partition`; by default a pair
 * [k, v] is key k and value v, any other element is the value (no key), each
 * written as it is when a string or bytes, as JSON when an object or array,
 * and as its String() otherwise (numbers, booleans, bigints, null, undefined).
 */
import type { KafkaConfig } from 'kafkajs';
import type { Batch } from '../../batch/batch.js';
import type { DStream } from '../../engine/dstream.js';
import { InvalidArgumentError } from '../../errors.js';
import { requireStream } from '../../arguments.js';
import { ForEachDStream } from '../../stream/foreach-dstream.js';
import type { KafkaClient, KafkaProducerPort, OutgoingRecord } from './client.js';
import { KafkaDirectDStream } from './direct-stream.js';
import { kafkajsClient } from './kafkajs-client.js';
import { reportRetry, retrying } from './retry.js';

/** How toKafka turns elements into records, and where it writes when the stream has no Kafka source. */
export interface ToKafkaOptions<T> {
  readonly key?: (element: T) => Uint8Array | string | null;
  readonly value?: (element: T) => Uint8Array | string | null;
  /** A partition number, or undefined for the default (by key hash). */
  readonly partition?: (element: T) => number | undefined;
  /** Needed only when the stream does not come from a Kafka direct stream (whose brokers are used otherwise). */
  readonly brokers?: string | readonly string[];
  readonly clientOptions?: Omit<KafkaConfig, 'brokers'>;
  readonly client?: KafkaClient;
}

/** Records per send: one produce request must stay under the broker's size limit (message.max.bytes, 1 MiB by default). */
const MAX_SEND_BYTES = 512 * 1024;

// String() would write bytes as "104,105" and objects as "[object Object]"; JSON.stringify gives
// undefined for undefined (a record without a value, which crashed the send) and throws on a bigint.
function encode(part: unknown): Uint8Array | string {
  if (typeof part === 'string' || part instanceof Uint8Array) return part;
  if (typeof part === 'object' && part !== null) return JSON.stringify(part) ?? String(part);
  return String(part);
}

function defaultValue(element: unknown): Uint8Array | string | null {
  return encode(Array.isArray(element) && element.length === 2 ? element[1] : element);
}

function defaultKey(element: unknown): Uint8Array | string | null | undefined {
  return Array.isArray(element) && element.length === 2 ? encode(element[0]) : undefined;
}

/** The direct streams `stream` reads from. */
function kafkaSources(stream: DStream<unknown>): KafkaDirectDStream[] {
  const found = new Set<KafkaDirectDStream>();
  const seen = new Set<DStream<unknown>>();
  const visit = (s: DStream<unknown>): void => {
    if (seen.has(s)) return;
    seen.add(s);
    if (s instanceof KafkaDirectDStream) found.add(s);
    for (const parent of s.dependencies) visit(parent);
  };
  visit(stream);
  return [...found];
}

/** The output operator behind toKafka (see the module comment). */
export class ToKafkaDStream<T> extends ForEachDStream<T> {
  private producer: Promise<KafkaProducerPort> | undefined;
  private ownClient: KafkaClient | undefined;

  constructor(parent: DStream<T>, readonly topic: string, options: ToKafkaOptions<T> = {}) {
    if (typeof topic !== 'string' || topic === '') throw new InvalidArgumentError('toKafka needs the name of an existing topic');
    const sources = kafkaSources(parent);
    const transactional = sources.filter((s) => s.exactlyOnce);
    // The streams of one scale-out group (its source and repartition topics) share one transaction per batch.
    if (new Set(transactional.map((s) => s.scaleOutGroup ?? s)).size > 1) throw new InvalidArgumentError('toKafka: the stream reads from more than one exactly-once Kafka stream; one batch can commit only one of them with its output');
    const source = transactional[0];
    if (source !== undefined && (options.brokers !== undefined || options.client !== undefined)) {
      throw new InvalidArgumentError('toKafka: an exactly-once stream writes in its own transaction, so its output goes to the cluster it reads from; leave out brokers/client');
    }
    const toRecord = (element: T): OutgoingRecord => {
      const key = options.key === undefined ? defaultKey(element) : options.key(element);
      const partition = options.partition?.(element);
      return { value: (options.value ?? defaultValue)(element), ...(key === undefined ? {} : { key }), ...(partition === undefined ? {} : { partition }) };
    };
    let self!: ToKafkaDStream<T>;
    super(parent, async (batch: Batch<T>, time: number) => {
      const records = batch.collect().map(toRecord);
      if (records.length === 0) return;
      if (source !== undefined) {
        const tx = await source.transactionFor(time);
        for (const chunk of chunks(records)) await tx.send(topic, chunk);
        return;
      }
      // At least once: a send retried after a broker outage may write some records twice.
      const retry = <R>(operation: () => Promise<R>): Promise<R> =>
        sources[0]?.retry(operation) ?? retrying(operation, {}, (error, delayMs) => reportRetry(self.context, self.id, `toKafka('${topic}')`, error, delayMs));
      for (const chunk of chunks(records)) await retry(async () => (await self.producerFor(sources[0], options)).send(topic, chunk));
    });
    self = this;
  }

  private producerFor(source: KafkaDirectDStream | undefined, options: ToKafkaOptions<T>): Promise<KafkaProducerPort> {
    if (this.producer === undefined) {
      let client = options.client ?? source?.client;
      if (client === undefined) {
        const brokers = typeof options.brokers === 'string' ? options.brokers.split(',') : options.brokers;
        if (brokers === undefined || brokers.length === 0) throw new InvalidArgumentError(`toKafka('${this.topic}'): give brokers (the stream does not come from a Kafka direct stream)`);
        client = this.ownClient = kafkajsClient({ brokers, ...(options.clientOptions === undefined ? {} : { kafkajs: options.clientOptions }) });
      }
      this.producer = client.producer();
      this.producer.catch(() => (this.producer = undefined));
    }
    return this.producer;
  }

  override release(): void {
    super.release();
    const producer = this.producer;
    this.producer = undefined;
    void producer?.then((p) => p.close()).catch(() => undefined);
    void this.ownClient?.close();
  }
}

/** `records` in sends that stay under the broker's request size limit. */
export function* chunks(records: readonly OutgoingRecord[]): Generator<OutgoingRecord[]> {
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = sizeOf(record.value) + sizeOf(record.key ?? null) + 64;
    if (chunk.length > 0 && bytes + size > MAX_SEND_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

function sizeOf(v: Uint8Array | string | null): number {
  return v === null ? 0 : typeof v === 'string' ? v.length * 3 : v.length;
}

/** Writes every element of `stream` to Kafka topic `topic` (an output operation; see ToKafkaDStream). */
export function toKafka<T>(stream: DStream<T>, topic: string, options: ToKafkaOptions<T> = {}): void {
  requireStream('toKafka(stream, topic)', stream, "toKafka(counts, 'wordcounts')");
  new ToKafkaDStream(stream, topic, options).register();
}

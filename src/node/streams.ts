/**
 * Spark-named source helpers for a StreamingContext (Spark has them as
 * methods, `ssc.socketTextStream(...)`; here they take the context because
 * the core must not import Node's net and fs modules).
 *
 * Both accept `maxRatePerSecond` (Spark's receiver.maxRate) and
 * `backpressure` (Spark's backpressure.enabled: a PID estimator adapts the
 * rate to how fast batches are processed, never above maxRatePerSecond).
 * The estimator sees the whole batch's record count, so with several
 * rate-controlled streams in one context each one is throttled as if it
 * produced all of them — conservative, never too fast.
 */

import type { DStream } from '../engine/dstream.js';
import { StreamingContext } from '../engine/streaming-context.js';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../arguments.js';
import type { Receiver } from '../receivers/receiver.js';
import { type BackpressureOptions, enableBackpressure } from './backpressure.js';
import type { RateControlled } from './line-intake.js';
import { SocketReceiver, type SocketReceiverOptions } from './socket-receiver.js';
import { TextFileReceiver, type TextFileReceiverOptions } from './text-file-receiver.js';

/** Rate options of socketTextStream and textFileStream (besides `maxRatePerSecond`). */
export interface RateOptions {
  /** Adapt the rate to the processing speed (off by default). */
  readonly backpressure?: boolean | Omit<BackpressureOptions, 'maxRatePerSecond'>;
}

/** Lines from a TCP server (e.g. `nc -lk 9999` or `sluice gen --port 9999`), reconnecting when it goes away. */
export function socketTextStream(ssc: StreamingContext, host: string, port: number, options: SocketReceiverOptions & RateOptions = {}): DStream<string> {
  return lineStream(ssc, new SocketReceiver(host, port, options), options);
}

/** Lines of the files that appear in `dir` (see TextFileReceiver for the atomic-rename convention). */
export function textFileStream(ssc: StreamingContext, dir: string, options: TextFileReceiverOptions & RateOptions = {}): DStream<string> {
  return lineStream(ssc, new TextFileReceiver(dir, options), options);
}

function lineStream(
  ssc: StreamingContext,
  receiver: Receiver & RateControlled,
  options: { maxLineBytes?: number; maxRatePerSecond?: number } & RateOptions,
): DStream<string> {
  if (!(ssc instanceof StreamingContext)) {
    throw new InvalidArgumentError(`socketTextStream and textFileStream take the StreamingContext first (sluice's core has no Node sockets or files), e.g. socketTextStream(ssc, '127.0.0.1', 9999); got ${describeValue(ssc)}`);
  }
  const { backpressure, maxRatePerSecond, maxLineBytes } = options;
  if (backpressure !== undefined && backpressure !== false) {
    const tuning = backpressure === true ? {} : backpressure;
    enableBackpressure(ssc, [receiver], maxRatePerSecond === undefined ? tuning : { ...tuning, maxRatePerSecond });
  }
  // The block buffer must accept every line the receiver's splitter accepted.
  return ssc.receiverStream(receiver, maxLineBytes === undefined ? {} : { maxRecordBytes: maxLineBytes });
}

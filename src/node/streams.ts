/**
 * Spark-named source helpers for a StreamingContext (Spark has them as
 * methods, `ssc.socketTextStream(...)`; here they take the context because
 * the core must not import Node's net and fs modules).
 */

import type { DStream } from '../engine/dstream.js';
import type { StreamingContext } from '../engine/streaming-context.js';
import { SocketReceiver, type SocketReceiverOptions } from './socket-receiver.js';
import { TextFileReceiver, type TextFileReceiverOptions } from './text-file-receiver.js';

/** Lines from a TCP server (e.g. `nc -lk 9999` or `sluice gen --port 9999`), reconnecting when it goes away. */
export function socketTextStream(ssc: StreamingContext, host: string, port: number, options: SocketReceiverOptions = {}): DStream<string> {
  return ssc.receiverStream(new SocketReceiver(host, port, options), builderOptions(options.maxLineBytes));
}

/** Lines of the files that appear in `dir` (see TextFileReceiver for the atomic-rename convention). */
export function textFileStream(ssc: StreamingContext, dir: string, options: TextFileReceiverOptions = {}): DStream<string> {
  return ssc.receiverStream(new TextFileReceiver(dir, options), builderOptions(options.maxLineBytes));
}

/** The block buffer must accept every line the receiver's splitter accepted. */
function builderOptions(maxLineBytes: number | undefined): { maxRecordBytes?: number } {
  return maxLineBytes === undefined ? {} : { maxRecordBytes: maxLineBytes };
}

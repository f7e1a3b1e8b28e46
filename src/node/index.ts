/**
 * `sluice/node`: the Node-only half of sluice — TCP and file sources, the
 * file checkpoint store, the file sink for saveAsTextFiles, the corpus
 * generator server. Import the engine itself from `sluice`.
 */
export { socketTextStream, textFileStream } from './streams.js';
export { SocketReceiver, type SocketReceiverOptions, type SocketReceiverStats } from './socket-receiver.js';
export { TextFileReceiver, isIgnoredFileName, type TextFileReceiverOptions, type TextFileReceiverStats, type TextFilePosition } from './text-file-receiver.js';
export { LineIntake, type LineIntakeOptions, type LineIntakeStats } from './line-intake.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { FileCheckpointStore, CHECKPOINT_FILE, BACKUP_FILE, CHECKPOINT_FILE_VERSION, type FileCheckpointStoreOptions } from './file-checkpoint-store.js';
export { NodeFileSink, type NodeFileSinkOptions } from './file-sink.js';
export { GeneratorServer, type GeneratorServerOptions } from './generator-server.js';

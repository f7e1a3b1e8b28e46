/**
 * kafkajs as sluice uses it: every run-time import of kafkajs in sluice goes
 * through here, so that kafkajs-read-committed.ts has replaced kafkajs's
 * aborted-transaction filter before kafkajs loads (ES modules evaluate their
 * imports in order). Types may come from 'kafkajs' directly.
 */
import './kafkajs-read-committed.js';

export { AssignerProtocol, CompressionTypes, Kafka, PartitionAssigners, Partitioners, logLevel } from 'kafkajs';

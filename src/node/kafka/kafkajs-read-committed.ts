/**
 * Puts withoutAbortedRecords (aborted-transactions.ts) in place of kafkajs's
 * own filter, in Node's module cache, before kafkajs loads: kafkajs's Batch
 * takes the filter once, when its module is first required. Imported for
 * its effect by kafkajs.ts, the one module sluice loads kafkajs through.
 * Where kafkajs was loaded before sluice (an application that imported it
 * first), the fix cannot take and `kafkajsReadCommittedFixed` says so.
 */
import { createRequire, Module } from 'node:module';
import { withoutAbortedRecords } from './aborted-transactions.js';

const require = createRequire(import.meta.url);

function install(): boolean {
  let filterPath: string;
  let batchPath: string;
  try {
    filterPath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
    batchPath = require.resolve('kafkajs/src/consumer/batch.js');
  } catch {
    return false;
  }
  if (require.cache[batchPath] !== undefined) return require.cache[filterPath]?.exports === withoutAbortedRecords;
  const module = new Module(filterPath);
  module.filename = filterPath;
  module.loaded = true;
  module.exports = withoutAbortedRecords;
  require.cache[filterPath] = module;
  return true;
}

/** Whether kafkajs filters aborted transactions with withoutAbortedRecords in this process. */
export const kafkajsReadCommittedFixed = install();

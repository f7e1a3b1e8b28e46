/**
 * BatchInfo and ReceiverInfo as JSON for /results and the dashboard: plain
 * numbers and strings (a failure becomes its message and code), plus the
 * input rate Spark's Streaming tab charts (records per second of batch time).
 */

import type { BatchInfo, ReceiverInfo } from '../../engine/listener.js';
import { SluiceError } from '../../errors.js';

export interface BatchSummary extends Omit<BatchInfo, 'failure'> {
  /** numRecords per second of the batch interval. */
  readonly inputRate: number;
  readonly failure?: { readonly code: string; readonly message: string };
}

export interface ReceiverSummary {
  readonly streamId: number;
  readonly name: string;
  readonly active: boolean;
  readonly lastErrorMessage?: string;
  readonly lastErrorTime?: number;
}

export function summarizeBatch(info: BatchInfo, batchIntervalMs: number): BatchSummary {
  const { failure, ...rest } = info;
  const summary = { ...rest, counters: { ...info.counters }, inputRate: (info.numRecords * 1000) / batchIntervalMs };
  if (failure === undefined) return summary;
  return { ...summary, failure: { code: failure instanceof SluiceError ? failure.code : 'ERR_SLUICE_JOB_FAILED', message: failure.message } };
}

export function summarizeReceiver(info: ReceiverInfo): ReceiverSummary {
  const { lastError: _lastError, ...rest } = info;
  return rest;
}

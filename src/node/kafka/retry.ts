/**
 * Retries an operation while it fails with a retriable SluiceError (broker
 * down, coordinator moving), with jittered backoff, for at most `maxRetryMs`;
 * every failure is reported through `onRetry` first.
 */
import type { StreamingContext } from '../../engine/streaming-context.js';
import { SluiceError } from '../../errors.js';
import { Backoff, type BackoffOptions } from '../backoff.js';

export interface RetryOptions extends BackoffOptions {
  /** Give up (the batch fails) once retrying has taken this long. Default 60 s. */
  readonly maxRetryMs?: number;
}

export async function retrying<T>(operation: () => Promise<T>, options: RetryOptions, onRetry: (error: SluiceError, delayMs: number) => void): Promise<T> {
  const backoff = new Backoff({ initialDelayMs: 200, maxDelayMs: 5000, ...options });
  const giveUpAt = Date.now() + (options.maxRetryMs ?? 60_000);
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof SluiceError) || !error.retriable) throw error;
      const delayMs = backoff.nextDelayMs();
      if (Date.now() + delayMs > giveUpAt) throw error;
      onRetry(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Tells the context's listeners (onReceiverError) that stream `streamId` (`name`) failed with `error` and retries in `delayMs`. */
export function reportRetry(context: StreamingContext, streamId: number, name: string, error: SluiceError, delayMs: number, active = true): void {
  context.listenerBus.post('onReceiverError', {
    receiverInfo: {
      streamId,
      name: `${name} (retrying in ${delayMs} ms)`,
      active,
      lastErrorMessage: error.message,
      lastError: error,
      lastErrorTime: Date.now(),
    },
  });
}

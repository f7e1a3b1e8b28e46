/**
 * Ctrl-C / SIGTERM for the long-running commands: the first signal starts a
 * graceful stop (data already received is still processed); a graceful stop
 * cannot be turned into a hard one, so a second signal only stops waiting
 * for it (`forced` resolves; the command exits with EXIT_INTERRUPTED).
 */

import type { CliIo } from './io.js';

export const EXIT_INTERRUPTED = 130;

export function watchStopSignals(io: CliIo, gracefulStop: () => void): { readonly forced: Promise<void>; unsubscribe(): void } {
  let signals = 0;
  let quitNow: () => void = () => {};
  const forced = new Promise<void>((resolve) => (quitNow = resolve));
  const unsubscribe = io.onSignal((signal) => {
    if (++signals === 1) {
      io.stderr(`sluice: ${signal} received, finishing the data already received (send it again to quit at once)\n`);
      gracefulStop();
    } else {
      quitNow();
    }
  });
  return { forced, unsubscribe };
}

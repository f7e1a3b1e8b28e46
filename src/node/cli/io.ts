/**
 * What a command may touch of the process, passed in so tests can run
 * commands in-process and capture their output.
 */
export interface CliIo {
  /** Text for standard output (the command adds the newlines). */
  stdout(text: string): void;
  /** Text for standard error. */
  stderr(text: string): void;
  /** Subscribes to Ctrl-C / SIGTERM; returns the unsubscribe function. */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
}

/**
 * Exit codes (documented in `sluice --help` and the README):
 *   0 success, 1 any other failure (a batch failed, I/O error),
 *   2 bad usage (unknown option, bad value), 3 network: host unreachable or port in use.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_NETWORK = 3;

/**
 * Ends the process with `code` once everything written to stdout and stderr
 * has been handed to the OS (a large result piped to another program would
 * otherwise be cut off by process.exit). Exiting explicitly matters: a
 * command may leave sockets or timers behind that would keep Node alive.
 */
export function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

export function processIo(): CliIo {
  // The reader of our output went away (`sluice wordcount ... | head`): stop quietly, as a Unix filter
  // killed by SIGPIPE does, instead of crashing on an unhandled EPIPE. Checkpoints are crash-safe.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT_OK);
  });
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    onSignal(handler) {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}

/**
 * Where the engine reports what an operator should see without a listener:
 * receiver errors and reconnect attempts (Spark logs them as WARN) and a
 * receiver's own notes such as a connection coming back (INFO). Pass your
 * own to `new StreamingContext({ logger })`, or `logger: null` for silence.
 */
export interface Logger {
  warn(message: string): void;
  info(message: string): void;
}

/** The default: `WARN …` and `INFO …` lines on the console's error stream (print() output stays on stdout). */
export const consoleLogger: Logger = {
  warn: (message) => console.error(`WARN ${message}`),
  info: (message) => console.error(`INFO ${message}`),
};

/** Logs nothing (what `logger: null` selects). */
export const silentLogger: Logger = { warn: () => {}, info: () => {} };

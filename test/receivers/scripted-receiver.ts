import { Receiver } from '../../src/index.js';

const encoder = new TextEncoder();

/** A receiver the test feeds: each feed stores its lines as one run of bytes, as a socket chunk would. */
export class ScriptedReceiver extends Receiver {
  onStart(): void {}
  onStop(): void {}
  feed(lines: readonly string[]): void {
    this.storeLines(encoder.encode(`${lines.join('\n')}\n`));
  }
}

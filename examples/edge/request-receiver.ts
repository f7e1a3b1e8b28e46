/**
 * A receiver fed by the Worker's own handlers: a request (or a queue batch)
 * hands its records over with `push`, then runs the batch. Nothing is read
 * in the background, so nothing depends on timers surviving the request.
 */
import { Receiver } from 'sluice/edge';

export class RequestReceiver extends Receiver {
  onStart(): void {}

  onStop(): void {}

  /** Records (lines, without '\n') for the next batch. */
  push(records: Iterable<string>): void {
    this.store(records);
  }
}

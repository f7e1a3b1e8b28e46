// A `sluice serve --pipeline` module for the tests: running word counts
// (updateStateByKey), so a checkpointed restart must bring the counts back.
import { pairWithOne, runningSum, splitWhitespace, type DStream } from '../../../src/index.js';

export function pipeline(lines: DStream<string>): DStream<unknown> {
  return lines.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum).name('running-words');
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { operatorMessage } from '../../../src/node/cli/operator-message.js';
import { CheckpointError, JobError } from '../../../src/index.js';

test('a failed batch is explained by its causes, without "see `cause`"', () => {
  const disk = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const output = new Error('Could not write output folder /out/wc-1000', { cause: disk });
  const failed = new JobError(
    'Batch 1000 failed in output operation of stream 3: Could not write output folder /out/wc-1000. The context stops; fix what failed (see `cause`) and start again.',
    { cause: output },
  );
  assert.equal(
    operatorMessage(failed),
    'Batch 1000 failed in output operation of stream 3: Could not write output folder /out/wc-1000.\nReason: ENOSPC: no space left on device, write',
  );
});

test('checkpoint advice about code (.name(...), checkpoint stores) is left out; the problem stays', () => {
  const error = new CheckpointError(
    'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE',
    "Cannot recover from the checkpoint in ./ckpt: it holds no state for window 'w'. If the operator was renamed, give it its old name with .name(...); if it is new, start from an empty checkpoint store (state is then lost).",
  );
  assert.equal(operatorMessage(error), "Cannot recover from the checkpoint in ./ckpt: it holds no state for window 'w'.");
  assert.equal(operatorMessage(new CheckpointError('ERR_SLUICE_CHECKPOINT_INCOMPATIBLE', 'Wrapped. Use --checkpoint elsewhere.', { cause: error })), "Wrapped. Use --checkpoint elsewhere.\nReason: Cannot recover from the checkpoint in ./ckpt: it holds no state for window 'w'.");
  assert.equal(operatorMessage('plain text'), 'plain text');
});

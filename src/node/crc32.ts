// Moved to the core (edge-safe) so checkpoints are checksummed on every runtime; kept here for existing imports.
export { crc32 } from '../checkpoint/crc32.js';

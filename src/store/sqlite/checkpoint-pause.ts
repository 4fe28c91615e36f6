// How long the checkpoint thread waits before its next checkpoint (checkpoint-worker.ts).

/** WAL frames a light load adds between two checkpoints at the base interval; more stretch the pause. */
const FRAMES_PER_INTERVAL = 256;

/** Frames the writer added between two checkpoints, from the WAL's length at each (shorter: it started over). */
export function framesAdded(previousLength: number, length: number): number {
  return length >= previousLength ? length - previousLength : length;
}

/**
 * The pause before the next checkpoint, from the WAL frames the writer added since the previous one. Each checkpoint
 * ends with an fsync of the database, which the writer's commits queue behind. Under a light load (tens of frames
 * at 100 findings/s) checkpoints come every `intervalMs`, so each fsync is short; under a saturating one the pause
 * stretches up to ten times that, so pages rewritten commit after commit are copied and fsynced once rather than
 * again and again (single-event POSTs on a 1M store: ~335/s with checkpoints every 100 ms, ~420–470/s like this).
 * Once the load falls, the next pause is short again, even while a long WAL is still being caught up.
 */
export function pauseAfter(frames: number, intervalMs: number): number {
  return Math.min(intervalMs * 10, Math.max(intervalMs, Math.round((intervalMs * frames) / FRAMES_PER_INTERVAL)));
}

// How long the checkpoint thread waits before its next checkpoint (checkpoint-worker.ts).

/**
 * WAL frames a light load adds between two checkpoints at the base interval; more stretch the pause. Since a
 * longer pause lets more frames in, the rule acts as a threshold: below 10 frames a millisecond checkpoints
 * come every interval, above it every ten. 100 findings/s on a 1M store write ~4,300 frames a second (each
 * small commit rewrites a page of every index it touches), which must stay below it: with checkpoints a second
 * apart, commits always landed during one, so the writer never started the WAL over (it grew by 17 MB a second)
 * and arrival → searchable p99 was 111 ms against 63 ms (one run each; 256 frames before this).
 */
const FRAMES_PER_INTERVAL = 1024;

/** Frames the writer added between two checkpoints, from the WAL's length at each (shorter: it started over). */
export function framesAdded(previousLength: number, length: number): number {
  return length >= previousLength ? length - previousLength : length;
}

/**
 * The pause before the next checkpoint, from the WAL frames the writer added since the previous one. Each checkpoint
 * ends with an fsync of the database, which the writer's commits queue behind. Under a light load (~450 frames
 * in 100 ms at 100 findings/s) checkpoints come every `intervalMs`, so each fsync is short; under a saturating one the pause
 * stretches up to ten times that, so pages rewritten commit after commit are copied and fsynced once rather than
 * again and again (single-event POSTs on a 1M store: ~335/s with checkpoints every 100 ms, ~420–470/s like this).
 * Once the load falls, the next pause is short again, even while a long WAL is still being caught up.
 */
export function pauseAfter(frames: number, intervalMs: number): number {
  return Math.min(intervalMs * 10, Math.max(intervalMs, Math.round((intervalMs * frames) / FRAMES_PER_INTERVAL)));
}

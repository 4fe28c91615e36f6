// Load shedding: the server answers 503 OVERLOADED with retry-after while its event loop lags.
import { ApiStatusError } from './api-client.js';
import { sleep } from './stats.js';

/** Longest pause after a refusal; the server asks for 5 s, which would leave little time for measuring. */
const MAX_PAUSE_MS = 2_000;

/** Rethrows anything but a 503; after a 503, waits (retry-after, at most 2 s) before the caller goes on. */
export async function refusalOf(error: unknown): Promise<void> {
  if (!(error instanceof ApiStatusError) || error.status !== 503) throw error;
  await sleep(Math.min((error.retryAfterSeconds ?? 1) * 1000, MAX_PAUSE_MS));
}

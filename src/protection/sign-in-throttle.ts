// Failed sign-ins slow down further attempts for the same user name: each failure past a few doubles the wait,
// up to a cap. A delay, never a lock: someone else's failures can make the owner wait, not shut them out.

export interface SignInThrottleOptions {
  /** Failures allowed without delay within the window. */
  readonly freeFailures: number;
  /** The longest wait between attempts, however many failures. */
  readonly maxDelaySeconds: number;
  /** Failures older than this are forgotten. */
  readonly windowSeconds: number;
  /** User names tracked at once; past this the oldest entries are dropped. */
  readonly maxTracked: number;
}

interface Failures {
  count: number;
  last: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottleOptions = { freeFailures: 5, maxDelaySeconds: 30, windowSeconds: 900, maxTracked: 100_000 };

export class SignInThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly options: SignInThrottleOptions = DEFAULT_SIGN_IN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before `user` may try again; 0 when it may try now. */
  retryAfterSeconds(user: string): number {
    const entry = this.entry(user);
    if (entry === undefined || entry.count < this.options.freeFailures) return 0;
    const delayMs = Math.min(this.options.maxDelaySeconds, 2 ** (entry.count - this.options.freeFailures)) * 1000;
    const wait = entry.last + delayMs - this.now();
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  failed(user: string): void {
    const key = user.toLowerCase();
    const entry = this.entry(user) ?? { count: 0, last: 0 };
    entry.count++;
    entry.last = this.now();
    this.failures.delete(key);
    if (this.failures.size >= this.options.maxTracked) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, entry);
  }

  succeeded(user: string): void {
    this.failures.delete(user.toLowerCase());
  }

  private entry(user: string): Failures | undefined {
    const key = user.toLowerCase();
    const entry = this.failures.get(key);
    if (entry !== undefined && this.now() - entry.last > this.options.windowSeconds * 1000) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }
}

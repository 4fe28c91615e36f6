// A lease: work that must run on one instance at a time (alert evaluation, digests). The holder keeps it while it
// lives; when it dies another instance takes it over at its next attempt.
export interface Lease {
  /** Whether this instance holds the lease now, taking it when it is free. */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

/** The lease of a backend only one process can open at a time (the embedded store): always held. */
export const SOLE_HOLDER: Lease = {
  held: async () => true,
  release: async () => undefined,
};

// The contract of every store that keeps sealed values, so that a master key rotation reaches all of them.
import type { SecretBox } from './secret-box.js';
import { SecretError } from './secret-error.js';

/**
 * Records holding values sealed with the master key (alert destinations; later STS secret keys). A store
 * implements this once per kind of record; the list of them is what `yagura keys rotate-master` re-seals.
 */
export interface SealedRecords {
  /** What the records are, for messages: "alert destinations". */
  readonly description: string;
  /**
   * Hands every sealed value and its context to `rewrite` inside one durable write transaction, and stores what
   * it returns where that differs; resolves to how many values changed. A throw from `rewrite` rolls back.
   */
  rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number>;
}

/** Opens every sealed value once, so that a missing or wrong master key stops a start instead of a delivery. */
export async function checkSealedRecords(records: readonly SealedRecords[], box: SecretBox): Promise<void> {
  for (const r of records) {
    try {
      await r.rewriteSealed((sealed, context) => {
        box.open(sealed, context);
        return sealed;
      });
    } catch (error) {
      if (error instanceof SecretError) throw new SecretError(error.code, `${r.description}: ${error.message}`);
      throw error;
    }
  }
}

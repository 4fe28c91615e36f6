// Turns delivered items into valid findings, ignored events and coded rejections, each tied to its item index.
import type { Finding } from '../findings/finding.js';
import type { FindingRejection } from '../findings/finding-error.js';
import { checkShape } from '../findings/document-shape.js';
import { normalizeFinding } from '../findings/normalize.js';
import { unwrap } from './unwrap.js';

export interface Rejected {
  /** Position of the item in the delivery (request item or file line number). */
  readonly index: number;
  readonly code: string;
  readonly message: string;
}

export interface Classified {
  readonly findings: Finding[];
  /** `findings[i]` came from item `indexes[i]`. */
  readonly indexes: number[];
  ignored: number;
  readonly rejected: Rejected[];
}

export function emptyClassified(): Classified {
  return { findings: [], indexes: [], ignored: 0, rejected: [] };
}

/** Adds one delivered item (already parsed, or a parse failure) to `into`. */
export function classifyItem(into: Classified, index: number, item: { value: unknown } | { error: FindingRejection }): void {
  if ('error' in item) {
    into.rejected.push({ index, ...item.error });
    return;
  }
  // The whole item is checked, not only the finding inside it: an envelope is attacker-controlled too.
  const shape = checkShape(item.value);
  if (shape) {
    into.rejected.push({ index, ...shape });
    return;
  }
  for (const part of unwrap(item.value)) {
    if (part.kind === 'ignored') {
      into.ignored++;
    } else if (part.kind === 'rejected') {
      into.rejected.push({ index, ...part.error });
    } else {
      // `part.value` is the item or a value inside it, so the item's shape check covered it; an SNS message,
      // parsed from a string inside the item, was checked by `unwrap` when it was parsed.
      const result = normalizeFinding(part.value, 'checked');
      if (result.ok) {
        into.findings.push(result.finding);
        into.indexes.push(index);
      } else {
        const where = part.path === '' ? '' : ` (in ${part.path})`;
        into.rejected.push({ index, code: result.error.code, message: `${result.error.message}${where}` });
      }
    }
  }
}

/**
 * Moves findings of accounts erased by account (a tombstone) to the rejections as ACCOUNT_ERASED, before anything
 * is stored: GuardDuty re-sending an erased account's findings does not bring them back.
 */
export function refuseErasedAccounts(into: Classified, isErased: (accountId: string) => boolean): void {
  if (!into.findings.some((f) => isErased(f.key.accountId))) return;
  const findings = into.findings.splice(0);
  const indexes = into.indexes.splice(0);
  findings.forEach((finding, i) => {
    if (isErased(finding.key.accountId)) {
      into.rejected.push({ index: indexes[i]!, code: 'ACCOUNT_ERASED', message: `the findings of account ${finding.key.accountId} were erased; they are not stored again` });
    } else {
      into.findings.push(finding);
      into.indexes.push(indexes[i]!);
    }
  });
}

// The step every source shares: classified items in, the ingest report out (received, ignored, rejected, stored).
import type { Metrics } from '../metrics/metrics.js';
import type { UpsertOutcome } from '../store/finding-store.js';
import { classifyItem, emptyClassified, refuseErasedAccounts, type Classified, type Rejected } from './classify.js';
import type { BodyItem } from './json-lines.js';
import type { IngestPipeline } from './pipeline.js';

/** What one source delivered at once: how many items it read and what classifying them gave. */
export interface Delivery {
  /** The source's kind, the `source` label of the metrics (`http`, `import`, `s3-export`). */
  readonly source: string;
  /** Items read (request items, object lines). */
  readonly received: number;
  readonly classified: Classified;
  /** Accounts erased by account (tombstones): their findings are refused with ACCOUNT_ERASED, whatever the source. */
  readonly isErasedAccount?: (accountId: string) => boolean;
}

/** What became of a delivery. `created + updated + unchanged` are the findings accepted. */
export interface IngestReport {
  readonly received: number;
  readonly ignored: number;
  readonly rejected: readonly Rejected[];
  /** New findings. */
  readonly created: number;
  /** New versions of findings already stored (current or, for a late older version, history). */
  readonly updated: number;
  /** Versions already stored: redeliveries, which change nothing. */
  readonly unchanged: number;
}

/** The store could not make the delivery durable: nothing of it may be acknowledged. */
export interface ReceiveFailure {
  readonly code: 'STORE_UNAVAILABLE';
  readonly message: string;
  readonly cause: unknown;
}

export type ReceiveResult = { readonly ok: true; readonly report: IngestReport } | { readonly ok: false; readonly failure: ReceiveFailure };

/** Classifies parsed items (an item's index is its position, or the line number it carries). */
export function classifyItems(items: readonly BodyItem[], indexOf: (i: number) => number = (i) => i): Classified {
  const classified = emptyClassified();
  items.forEach((item, i) => classifyItem(classified, indexOf(i), item));
  return classified;
}

/**
 * Counts the delivery, stores its valid findings through the pipeline and answers once they are durable. A store
 * failure is a value: the caller answers 503, keeps its message on the queue or its object unmarked, and retries.
 */
export async function receive(pipeline: IngestPipeline, delivery: Delivery, metrics?: Metrics): Promise<ReceiveResult> {
  const { classified, source } = delivery;
  if (delivery.isErasedAccount) refuseErasedAccounts(classified, delivery.isErasedAccount);
  if (metrics) {
    metrics.received.inc({ source }, delivery.received);
    if (classified.ignored > 0) metrics.ignored.inc({ source }, classified.ignored);
    for (const r of classified.rejected) metrics.rejected.inc({ reason: r.code });
  }
  let outcomes: UpsertOutcome[];
  try {
    outcomes = await pipeline.submit(classified.findings);
  } catch (cause) {
    return { ok: false, failure: { code: 'STORE_UNAVAILABLE', message: 'the findings could not be stored durably; nothing was acknowledged', cause } };
  }
  let created = 0;
  let unchanged = 0;
  for (const o of outcomes) {
    if (o === 'created') created++;
    else if (o === 'unchanged') unchanged++;
  }
  return {
    ok: true,
    report: {
      received: delivery.received,
      ignored: classified.ignored,
      rejected: classified.rejected,
      created,
      updated: outcomes.length - created - unchanged,
      unchanged,
    },
  };
}

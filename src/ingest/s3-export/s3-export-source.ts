// A continuous S3-export source: GuardDuty's export bucket read through its SQS notifications, or by listing.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Metrics } from '../../metrics/metrics.js';
import type { IngestPipeline } from '../pipeline.js';
import type { Source, SourceContext } from '../source.js';
import { SourceHealthRecorder, type SourceHealth } from '../source-health.js';
import type { SourceStateStore } from '../source-state-store.js';
import { buildClients, type SourceClients } from './aws-clients.js';
import type { CollectContext } from './collect-object.js';
import { ListingCollector } from './listing-collector.js';
import { QueueCollector } from './queue-collector.js';
import { s3ExportSourceId, type S3ExportSourceConfig } from './s3-export-config.js';

export interface S3ExportSourceDeps {
  readonly pipeline: IngestPipeline;
  /** Accounts erased by account: their findings are refused. */
  readonly isErasedAccount?: (accountId: string) => boolean;
  readonly state: SourceStateStore;
  readonly metrics?: Metrics;
  readonly now?: () => number;
  /** Long-poll wait (SQS's most, 20 s, by default; tests ask for less). */
  readonly waitTimeSeconds?: number;
}

/** After a failed poll or listing, the next waits this long at first, doubling up to the maximum. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export class S3ExportSource implements Source {
  readonly id: string;
  readonly kind = 's3-export' as const;
  private readonly recorder: SourceHealthRecorder;
  private clients: SourceClients | undefined;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly config: S3ExportSourceConfig,
    private readonly deps: S3ExportSourceDeps,
  ) {
    this.id = s3ExportSourceId(config);
    const via = config.queueUrl === undefined ? `listed every ${config.intervalSeconds} s` : `notified through ${config.queueUrl}`;
    this.recorder = new SourceHealthRecorder(this.id, this.kind, `s3://${config.bucket}/${config.prefix} (${config.region}), ${via}`, deps.now);
  }

  async start(context: SourceContext): Promise<void> {
    if (this.running) return;
    const log = context.log;
    this.recorder.started();
    const abort = new AbortController();
    this.abort = abort;
    const clients = buildClients(this.config, this.config.queueUrl);
    this.clients = clients;
    const ctx: CollectContext = {
      sourceId: this.id,
      s3: clients.s3,
      bucket: this.config.bucket,
      pipeline: this.deps.pipeline,
      ...(this.deps.isErasedAccount && { isErasedAccount: this.deps.isErasedAccount }),
      health: this.recorder,
      log,
      maxObjectBytes: this.config.maxObjectBytes,
      signal: abort.signal,
      ...(this.deps.metrics && { metrics: this.deps.metrics }),
      ...(this.config.administratorAccountId !== undefined && { administratorAccountId: this.config.administratorAccountId }),
    };
    this.running = (clients.sqs && this.config.queueUrl !== undefined
      ? this.runQueue(new QueueCollector(ctx, clients.sqs, this.deps.state, { ...this.config, queueUrl: this.config.queueUrl, waitTimeSeconds: this.deps.waitTimeSeconds ?? 20 }, this.deps.now), abort.signal)
      : this.runListing(new ListingCollector(ctx, this.deps.state, this.config, this.deps.now), abort.signal)
    ).catch((error: unknown) => {
      // Nothing above throws by design; if something does, the source says so instead of stopping silently.
      this.recorder.error('SOURCE_STOPPED', `the collector stopped: ${(error as Error).message}`, { fatal: true });
      log.error({ source: this.id, err: error }, 'the collector stopped');
    });
    log.info({ source: this.id }, 'collecting');
  }

  private async runQueue(collector: QueueCollector, signal: AbortSignal): Promise<void> {
    let wait = RETRY_FIRST_MS;
    while (!signal.aborted) {
      const { ok } = await collector.poll();
      if (ok) wait = RETRY_FIRST_MS;
      else {
        await pause(wait, signal);
        wait = Math.min(wait * 2, RETRY_MAX_MS);
      }
    }
  }

  private async runListing(collector: ListingCollector, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await collector.pass();
      await pause(this.config.intervalSeconds * 1000, signal);
    }
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
    this.running = undefined;
    this.clients?.destroy();
    this.clients = undefined;
    this.recorder.stopped();
  }

  health(): SourceHealth {
    return this.recorder.snapshot();
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

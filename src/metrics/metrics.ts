// Prometheus metrics with the pipeline's names: received, stored, ignored, rejected, latency, queues, blocks, audit.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly received = new Counter({ name: 'yagura_findings_received_total', help: 'Items received for ingest, by source', labelNames: ['source'] as const, registers: [this.registry] });
  readonly stored = new Counter({ name: 'yagura_findings_stored_total', help: 'Finding versions stored, by outcome (created, updated, history, unchanged)', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly ignored = new Counter({ name: 'yagura_findings_ignored_total', help: 'Events that are not findings (other detail-types), by source', labelNames: ['source'] as const, registers: [this.registry] });
  readonly rejected = new Counter({ name: 'yagura_findings_rejected_total', help: 'Items rejected, by reason code', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly ingestLatency = new Histogram({
    name: 'yagura_ingest_latency_seconds',
    help: 'Time from submission to durable in the store',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly ingestFailures = new Counter({ name: 'yagura_ingest_failures_total', help: 'Submissions that could not be made durable', registers: [this.registry] });
  readonly archiveObjects = new Counter({ name: 'yagura_archive_objects_sealed_total', help: 'Archive objects sealed and written', registers: [this.registry] });
  readonly archiveLines = new Counter({ name: 'yagura_archive_lines_total', help: 'Finding versions written to archive objects', registers: [this.registry] });
  readonly archiveBytes = new Counter({ name: 'yagura_archive_bytes_total', help: 'Compressed bytes of archive objects written', registers: [this.registry] });
  readonly archiveFailures = new Counter({ name: 'yagura_archive_failures_total', help: 'Archive passes that failed (retried by the next one)', registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'yagura_rate_limit_refusals_total', help: 'Requests refused by rate-based rules, by scope', labelNames: ['scope'] as const, registers: [this.registry] });

  readonly alertDeliveries = new Counter({ name: 'yagura_alert_deliveries_total', help: 'Alert delivery attempts, by destination type and outcome (sent, failed, dead)', labelNames: ['type', 'outcome'] as const, registers: [this.registry] });
  readonly alertLatency = new Histogram({
    name: 'yagura_alert_latency_seconds',
    help: 'Time from a finding being stored to the receiver confirming its alert',
    labelNames: ['type'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 600],
    registers: [this.registry],
  });

  readonly auditEntries = new Counter({ name: 'yagura_audit_entries_total', help: 'Audit log entries written, by decision (allowed, denied, unauthenticated, error)', labelNames: ['decision'] as const, registers: [this.registry] });
  readonly auditDropped = new Counter({ name: 'yagura_audit_dropped_total', help: 'Audit log entries dropped because the write queue was full', registers: [this.registry] });

  readonly retentionRemoved = new Counter({ name: 'yagura_retention_removed_total', help: 'Findings (store) or archived versions (archive) removed by retention, by scope and rule', labelNames: ['scope', 'rule'] as const, registers: [this.registry] });
  readonly retentionLag = new Gauge({ name: 'yagura_retention_lag_seconds', help: 'How long past its retention the oldest finding or archive object removed in the last batch was, by scope', labelNames: ['scope'] as const, registers: [this.registry] });
  readonly retentionPasses = new Counter({ name: 'yagura_retention_passes_total', help: 'Retention passes, by scope and outcome (done, failed, skipped)', labelNames: ['scope', 'outcome'] as const, registers: [this.registry] });
  readonly retentionArchiveObjects = new Counter({ name: 'yagura_retention_archive_objects_total', help: 'Archive objects retention deleted whole or rewrote without expired lines, by action', labelNames: ['action'] as const, registers: [this.registry] });

  constructor(collectProcess = true) {
    if (collectProcess) collectDefaultMetrics({ register: this.registry, prefix: 'yagura_' });
  }

  /** A gauge read when metrics are scraped (queue depths, store size, current blocks). */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }
}

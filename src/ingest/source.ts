// The contract of a source: something that brings findings in (pushed to the API, or collected by Yagura itself),
// started and stopped with the server, and able to say how it is doing.
import type { SourceHealth } from './source-health.js';

/** Where a source's log lines go (pino's shape). */
export interface SourceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What a source is given when it starts. */
export interface SourceContext {
  readonly log: SourceLog;
}

/** What kind of source: its folder under src/ingest/. */
export type SourceKind = 'eventbridge-http' | 's3-export';

export interface Source {
  /** Unique among the configured sources, stable across restarts (`s3-export:bucket/prefix`). */
  readonly id: string;
  readonly kind: SourceKind;
  /** Begins collecting; resolves once started (a collector's first pass runs in the background). Never rejects. */
  start(context: SourceContext): Promise<void>;
  /** Stops collecting and waits for work in progress; nothing acknowledged is lost, nothing half-stored stays. */
  stop(): Promise<void>;
  /** How the source is doing now. */
  health(): SourceHealth;
}

// The push source: EventBridge API destinations, the Lambda forwarder and scripts POSTing to /api/v1/events. The
// HTTP server receives for it; this keeps its health, reported by the route after each request.
import type { Source } from '../source.js';
import { SourceHealthRecorder, type SourceHealth } from '../source-health.js';

export class HttpSource implements Source {
  readonly id = 'eventbridge-http';
  readonly kind = 'eventbridge-http' as const;
  /** The events route reports each request's outcome here. */
  readonly recorder: SourceHealthRecorder;

  constructor(now: () => number = Date.now) {
    this.recorder = new SourceHealthRecorder(this.id, this.kind, 'POST /api/v1/events (EventBridge API destinations, the Lambda forwarder, scripts)', now);
  }

  /** The server's listener receives for this source: nothing to start but its health. */
  async start(): Promise<void> {
    this.recorder.started();
  }

  async stop(): Promise<void> {
    this.recorder.stopped();
  }

  health(): SourceHealth {
    return this.recorder.snapshot();
  }
}

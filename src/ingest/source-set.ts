// The sources a server runs: started together after the listener, stopped together before the store closes.
import { HttpSource } from './eventbridge-http/http-source.js';
import type { Source, SourceContext } from './source.js';
import type { SourceHealth } from './source-health.js';

export class SourceSet {
  /** The push source, whose health the events route reports into. */
  readonly http: HttpSource;
  private readonly collectors: readonly Source[];

  constructor(collectors: readonly Source[] = [], http: HttpSource = new HttpSource()) {
    this.http = http;
    this.collectors = collectors;
    const ids = new Set<string>([http.id]);
    for (const c of collectors) {
      if (ids.has(c.id)) throw new Error(`two sources have the id ${c.id}`);
      ids.add(c.id);
    }
  }

  get all(): readonly Source[] {
    return [this.http, ...this.collectors];
  }

  async start(context: SourceContext): Promise<void> {
    for (const source of this.all) await source.start(context);
  }

  /** Stops every source, collectors first; one failing to stop does not keep the others running. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.all.map((s) => s.stop()));
  }

  health(): SourceHealth[] {
    return this.all.map((s) => s.health());
  }
}

// A client that sends requests at a fixed rate from a chosen loopback address and records latencies and statuses.
import http from 'node:http';

export interface PacedResult {
  readonly latenciesMs: number[];
  readonly statuses: Map<number, number>;
  errors: number;
}

export interface PacedOptions {
  readonly url: string;
  readonly path: () => string;
  readonly headers: Readonly<Record<string, string>>;
  readonly localAddress: string;
  readonly perSecond: number;
  readonly seconds: number;
}

/** Sends `perSecond` requests a second for `seconds` (open loop: a slow answer does not slow the sender). */
export async function paced(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, localAddress: options.localAddress });
  const result: PacedResult = { latenciesMs: [], statuses: new Map(), errors: 0 };
  const total = Math.round(options.perSecond * options.seconds);
  const interval = 1000 / options.perSecond;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      new Promise<void>((resolve) => {
        const t0 = performance.now();
        const req = http.request({ host: target.hostname, port: target.port, path: options.path(), method: 'GET', headers: options.headers, agent, timeout: 10_000 }, (res) => {
          res.resume();
          res.on('end', () => {
            result.latenciesMs.push(performance.now() - t0);
            result.statuses.set(res.statusCode ?? 0, (result.statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => {
          result.errors++;
          resolve();
        });
        req.end();
      }),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  return result;
}

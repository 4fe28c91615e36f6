// Alert latency: a matching finding's POST → the alert's HTTP request at a loopback receiver, under background load.
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApiClient } from './api-client.js';
import { startServer } from './server-process.js';
import { sleep, summarize, type LatencySummary } from './stats.js';

export interface AlertBenchOptions {
  readonly rules: number;
  /** Background findings per second (1 in 10 of them alerts on some rule). */
  readonly backgroundPerSecond: number;
  /** Probe findings per second (each alerts on rule 0). */
  readonly probesPerSecond: number;
  readonly seconds: number;
}

export interface AlertBenchResult {
  readonly options: AlertBenchOptions;
  readonly probesSent: number;
  readonly probesReceived: number;
  readonly backgroundSent: number;
  readonly backgroundAlerts: number;
  /** Bench clock: just before the probe's POST → the receiver got the alert. */
  readonly arrivalToReceiver: LatencySummary;
  /** Of which: the POST alone (durable in store and archive). */
  readonly post: LatencySummary;
  /** Server's delivery log: finding stored → receiver's 2xx (all deliveries). */
  readonly serverLogged: LatencySummary;
}

const ACCOUNT = (i: number): string => String(100000000000 + i);

function findingDoc(id: string, accountId: string, severity: number, at: string): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    accountId,
    region: 'eu-west-1',
    partition: 'aws',
    id,
    arn: `arn:aws:guardduty:eu-west-1:${accountId}:detector/d/finding/${id}`,
    type: 'UnauthorizedAccess:EC2/TorClient',
    resource: { resourceType: 'Instance', instanceDetails: { instanceId: `i-${id.slice(0, 12)}` } },
    service: {
      serviceName: 'guardduty',
      action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.9' } } },
      archived: false,
      count: 1,
    },
    severity,
    createdAt: at,
    updatedAt: at,
    title: `bench finding ${id}`,
  };
}

export async function measureAlerts(root: string, workDir: string, bootstrapKey: string, options: AlertBenchOptions): Promise<AlertBenchResult> {
  const dir = path.join(workDir, 'alerts');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const configFile = path.join(dir, 'config.json');
  await writeFile(configFile, JSON.stringify({ alerts: { allowPrivateNetworks: true, concurrency: 16 } }));

  const received = new Map<string, number>();
  let backgroundAlerts = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { findings: Array<{ id: string }> };
      const id = body.findings[0]?.id ?? '';
      if (id.startsWith('probe-')) received.set(id, at);
      else backgroundAlerts++;
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const server = await startServer(root, path.join(dir, 'data'), bootstrapKey, 60_000, ['--config', configFile]);
  try {
    const client = new ApiClient(server.url, bootstrapKey);
    const hook = await client.postJson<{ id: string }>('/api/v1/destinations', { type: 'webhook', name: 'bench', url: `${receiverUrl}/hook`, secret: 'bench-secret-0123456789' });
    // Rule i watches account i with one of a few queries; the last fifth watch every account and every band with
    // queries that never match here, so they cost a store query on every batch without alerting.
    const scopedQueries = ['type:UnauthorizedAccess* and severity >= 7', 'type:UnauthorizedAccess*', 'resourceType:Instance', 'not type:Recon*', 'actionType:NETWORK_CONNECTION'];
    const unscopedQueries = ['type:CryptoCurrency*', 'type:Backdoor* and severity >= 5', 'resourceType:S3Bucket', 'type:Trojan* or type:Impact*'];
    const scoped = options.rules - Math.floor(options.rules / 5);
    for (let i = 0; i < options.rules; i++) {
      const isScoped = i < scoped;
      await client.postJson('/api/v1/alert-rules', {
        name: `bench rule ${i}`,
        query: isScoped ? scopedQueries[i % scopedQueries.length] : unscopedQueries[i % unscopedQueries.length],
        ...(isScoped && { accounts: [ACCOUNT(i)] }),
        minBand: isScoped ? 'High' : 'Low',
        trigger: { kind: 'new' },
        routes: [{ destination: hook.id }],
      });
    }
    const sentAt = new Map<string, number>();
    const posts: number[] = [];
    let backgroundSent = 0;
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>): void => {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    // Open loop on a 10 ms tick: background in small batches, probes one per request.
    const tickMs = 10;
    const ticks = Math.round((options.seconds * 1000) / tickMs);
    const started = performance.now();
    let probeDebt = 0;
    let backgroundDebt = 0;
    for (let t = 0; t < ticks; t++) {
      const at = new Date().toISOString();
      backgroundDebt += (options.backgroundPerSecond * tickMs) / 1000;
      const batch: unknown[] = [];
      while (backgroundDebt >= 1) {
        backgroundDebt--;
        const n = backgroundSent++;
        // One in ten is High in the account of a scoped rule other than rule 0: real alert traffic beside the probes.
        const severity = n % 10 === 0 ? 8 : 3;
        batch.push(findingDoc(`bg-${n}`, ACCOUNT(1 + (n % (scoped - 1))), severity, at));
      }
      if (batch.length > 0) track(client.postJson('/api/v1/events', batch).catch(() => undefined));
      probeDebt += (options.probesPerSecond * tickMs) / 1000;
      while (probeDebt >= 1) {
        probeDebt--;
        const id = `probe-${sentAt.size}`;
        const t0 = performance.now();
        sentAt.set(id, t0);
        track(client.postJson('/api/v1/events', [findingDoc(id, ACCOUNT(0), 8, at)]).then(() => posts.push(performance.now() - t0), () => undefined));
      }
      const next = started + (t + 1) * tickMs;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.allSettled([...inFlight]);
    const deadline = performance.now() + 10_000;
    while (received.size < sentAt.size && performance.now() < deadline) await sleep(20);

    const latencies = [...received].map(([id, at]) => at - sentAt.get(id)!);
    const logged: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await client.get<{ deliveries: Array<{ latencyMs: number | null }>; nextBefore: number | null }>(`/api/v1/deliveries?status=sent&size=1000${before ? `&before=${before}` : ''}`);
      for (const d of page.deliveries) if (d.latencyMs !== null) logged.push(d.latencyMs);
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    return {
      options,
      probesSent: sentAt.size,
      probesReceived: received.size,
      backgroundSent,
      backgroundAlerts,
      arrivalToReceiver: summarize(latencies),
      post: summarize(posts),
      serverLogged: summarize(logged),
    };
  } finally {
    await server.stop(30_000);
    receiver.close();
  }
}

export function renderAlerts(r: AlertBenchResult): string {
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  const row = (name: string, s: LatencySummary): string => `| ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`;
  const o = r.options;
  return [
    '## Alert latency',
    '',
    `${o.rules} rules active (four fifths scoped to one account each, one fifth to every account with queries that never match); background ${o.backgroundPerSecond} findings/s (1 in 10 alerts), probes ${o.probesPerSecond}/s for ${o.seconds} s; webhook receiver on loopback.`,
    `Probes: ${r.probesSent} sent, ${r.probesReceived} alerted. Background: ${r.backgroundSent} findings, ${r.backgroundAlerts} alerts. Target: p99 ≤ 100 ms.`,
    '',
    '| measure | n | p50 | p99 | max |',
    '| --- | --- | --- | --- | --- |',
    row('probe POST → alert at receiver', r.arrivalToReceiver),
    row('of which the POST (durable)', r.post),
    row('server log: stored → receiver 2xx (all alerts)', r.serverLogged),
    '',
  ].join('\n');
}

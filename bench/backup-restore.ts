// Backup and restore timings for docs/operations.md: `yagura backup` of an idle data folder and of one a running
// `yagura serve` keeps ingesting into (with the ingest requests' latency before and during the backup), then
// `yagura restore`. BENCH_FINDINGS sets the size (default 200,000); BENCH_WORK_DIR where data goes (default
// .bench/backup-restore). Run `npm run build` first: the server is the built one.
//   BENCH_FINDINGS=200000 node --import tsx bench/backup-restore.ts
import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPaths } from '../src/cli/import.js';
import { openTarget } from '../src/cli/target.js';
import { generateDemoSet } from '../src/demo/generate.js';
import { openEmbedded } from '../src/main.js';
import { backupFolder } from '../src/store/backup/backup-folder.js';
import { restoreFolder } from '../src/store/backup/restore-folder.js';
import { loadBenchConfig } from './config.js';
import { ensureDataset } from './dataset.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = loadBenchConfig();
const findings = Number(process.env['BENCH_FINDINGS'] ?? 200_000);
const work = path.resolve(ROOT, process.env['BENCH_WORK_DIR'] || '.bench/backup-restore');
const data = path.join(work, 'data');
const note = (text: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
const KEY = 'bench-backup-bootstrap-key-0123456789abcdef';

async function folderBytes(dir: string): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function timed<T>(what: string, run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await run();
  const seconds = (performance.now() - t0) / 1000;
  note(`${what}: ${seconds.toFixed(1)} s`);
  return { value, seconds };
}

if (!(await stat(path.join(data, 'yagura.db')).catch(() => undefined))) {
  const dataset = await ensureDataset(work, { ...config.dataset, findings }, 24 * 30, note);
  await timed('import', async () => {
    const target = await openTarget({ data }, 'bench');
    try {
      await importPaths(target, [dataset.exportDir], { batchSize: config.importBatchSize });
    } finally {
      await target.close();
    }
  });
}
const store = await stat(path.join(data, 'yagura.db'));
note(`store ${(store.size / 2 ** 20).toFixed(0)} MiB, data folder ${((await folderBytes(data)) / 2 ** 20).toFixed(0)} MiB`);

// 1. Idle folder.
const idle = path.join(work, 'backup-idle');
await rm(idle, { recursive: true, force: true });
const idleBackup = await timed('backup, idle', () => backupFolder({ data, to: idle, includeMasterKey: true, masterKeyFromEnv: false }));
const restored = path.join(work, 'restored');
await rm(restored, { recursive: true, force: true });
const restoreCopy = await timed('restore: copy and verify', () => restoreFolder({ from: idle, data: restored }));
const restoreOpen = await timed('restore: first open', async () => {
  const embedded = await openEmbedded(restored, 'bench', {});
  await embedded.close();
});

// 2. While a server ingests: sequential POSTs of 50 findings, latency measured before and during the backup.
const server = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'serve', '--data', data, '--port', '0'], {
  env: { ...process.env, YAGURA_BOOTSTRAP_KEY: KEY, YAGURA_LOG_LEVEL: 'error' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d) => {
    out += d;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
const docs = generateDemoSet(Date.now());
let phase = 'before' as 'before' | 'during' | 'stop';
const latencies: Record<'before' | 'during', number[]> = { before: [], during: [] };
let sent = 0;
const load = (async () => {
  for (let i = 0; phase !== 'stop'; i++) {
    const batch = Array.from({ length: 50 }, (_, j) => ({ ...docs[(i * 50 + j) % docs.length]!, id: `bench-backup-${i}-${j}`, updatedAt: new Date().toISOString() }));
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    await res.text();
    const now = phase as 'before' | 'during' | 'stop';
    if (now !== 'stop') latencies[now].push(performance.now() - t0);
    sent += 50;
    await new Promise((r) => setTimeout(r, 20));
  }
})();
// The server's first seconds (facets loading, caches filling) are not what a backup meets later: not measured.
const warm = performance.now();
while (performance.now() - warm < 20_000 || latencies.before.length < 20) await new Promise((r) => setTimeout(r, 1000));
latencies.before.length = 0;
await new Promise((r) => setTimeout(r, 20_000));
phase = 'during';
const live = path.join(work, 'backup-live');
await rm(live, { recursive: true, force: true });
const sentBefore = sent;
const liveBackup = await timed('backup, while ingesting', () => backupFolder({ data, to: live, includeMasterKey: true, masterKeyFromEnv: false }));
const sentDuring = sent - sentBefore;
phase = 'stop';
await load;

// 3. An export of every finding from the server, with the server's resident memory sampled meanwhile.
const rss = async (): Promise<number> => {
  const { readFile } = await import('node:fs/promises');
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${server.pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
};
const rssBefore = await rss();
let rssMax = rssBefore;
const sampler = setInterval(() => void rss().then((v) => (rssMax = Math.max(rssMax, v))), 250);
const exported = await timed('export, every finding as NDJSON', async () => {
  const res = await fetch(`${url}/api/v1/findings/export?from=2000-01-01`, { headers: { 'x-api-key': KEY } });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const b of chunk) if (b === 10) lines++;
  }
  return { bytes, lines };
});
clearInterval(sampler);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));

const report = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${quantile(s, 0.5).toFixed(1)} ms, p99 ${quantile(s, 0.99).toFixed(1)} ms (${s.length} requests)`;
};
const m = idleBackup.value.manifest;
const archive = m.archive.kind === 'local' ? `${m.archive.objects} objects, ${(m.archive.bytes / 2 ** 20).toFixed(0)} MiB` : m.archive.url;
process.stdout.write(
  [
    `findings ${m.store.contents.findings}, versions ${m.store.contents.versions}, store ${(store.size / 2 ** 20).toFixed(0)} MiB, archive ${archive}`,
    `backup idle: ${idleBackup.seconds.toFixed(1)} s`,
    `restore: copy + verify ${restoreCopy.seconds.toFixed(1)} s, first open ${restoreOpen.seconds.toFixed(1)} s`,
    `backup while ingesting: ${liveBackup.seconds.toFixed(1)} s, ${sentDuring} findings ingested meanwhile`,
    `ingest POST (50 findings) latency before the backup: ${report(latencies.before)}`,
    `ingest POST (50 findings) latency during the backup: ${report(latencies.during)}`,
    `export: ${exported.value.lines} findings, ${(exported.value.bytes / 2 ** 20).toFixed(0)} MiB in ${exported.seconds.toFixed(1)} s; server RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, at most ${(rssMax / 2 ** 20).toFixed(0)} MiB during`,
  ].join('\n') + '\n',
);

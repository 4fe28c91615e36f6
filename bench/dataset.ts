// The benchmark data set: generated GuardDuty export objects under .bench/, made once and reused while its parameters hold.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFindingVersions } from '../src/demo/generate.js';
import { writeExportLayout } from '../src/demo/export-layout.js';
import { remoteParties } from '../src/findings/facts.js';
import type { DatasetParams } from './config.js';
import type { Note } from './progress.js';

/** What was generated, and the busiest values the search queries ask for. */
export interface DatasetManifest {
  readonly params: DatasetParams;
  /** Hash of the generator's source: a changed generator makes different data, so the data set is made again. */
  readonly generator: string;
  /** Epoch ms the generator used as `now`: every timestamp is before it. */
  readonly now: number;
  readonly versions: number;
  readonly files: number;
  readonly compressedBytes: number;
  readonly generatedSeconds: number;
  /** The account with the most finding versions. */
  readonly busiestAccount: string;
  /** The remote IP seen in the most finding versions. */
  readonly topRemoteIp: string;
}

export interface Dataset {
  readonly exportDir: string;
  readonly manifest: DatasetManifest;
  readonly reused: boolean;
}

const HOUR_MS = 3_600_000;
const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/demo');

async function generatorFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(DEMO_DIR)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  for (const file of files) hash.update(file).update(await readFile(path.join(DEMO_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

function top(counts: Map<string, number>): string {
  let best = '';
  let most = -1;
  for (const [key, n] of counts) {
    if (n > most || (n === most && key < best)) {
      best = key;
      most = n;
    }
  }
  return best;
}

async function readManifest(file: string): Promise<DatasetManifest | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DatasetManifest;
  } catch {
    return undefined;
  }
}

/** Returns the data set for `params`, generating it when missing, different or older than `maxAgeHours`. */
export async function ensureDataset(workDir: string, params: DatasetParams, maxAgeHours: number, note: Note): Promise<Dataset> {
  const dir = path.join(workDir, 'dataset');
  const exportDir = path.join(dir, 'export');
  const manifestFile = path.join(dir, 'manifest.json');
  const existing = await readManifest(manifestFile);
  const generator = await generatorFingerprint();
  if (existing !== undefined && existing.generator !== generator) note('the generator changed since the data set was made: generating it again');
  else if (existing !== undefined && JSON.stringify(existing.params) === JSON.stringify(params)) {
    const ageHours = (Date.now() - existing.now) / HOUR_MS;
    if (ageHours < maxAgeHours) {
      note(`reusing the data set generated ${ageHours.toFixed(1)} h ago (${existing.versions} versions in ${existing.files} objects)`);
      return { exportDir, manifest: existing, reused: true };
    }
    note(`the data set is ${ageHours.toFixed(1)} h old (limit ${maxAgeHours} h): generating it again`);
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const accounts = new Map<string, number>();
  const ips = new Map<string, number>();
  let versions = 0;
  const started = performance.now();
  function* tapped(): Generator<Record<string, unknown>> {
    for (const doc of generateFindingVersions({ ...params, now })) {
      versions++;
      const account = String(doc['accountId']);
      accounts.set(account, (accounts.get(account) ?? 0) + 1);
      for (const party of remoteParties(doc)) ips.set(party.ip, (ips.get(party.ip) ?? 0) + 1);
      if (versions % 250_000 === 0) note(`generated ${versions} versions`);
      yield doc;
    }
  }
  const written = await writeExportLayout(tapped(), exportDir, { objectMaxFindings: params.objectMaxFindings });
  const manifest: DatasetManifest = {
    params,
    generator,
    now,
    versions,
    files: written.files,
    compressedBytes: written.bytes,
    generatedSeconds: (performance.now() - started) / 1000,
    busiestAccount: top(accounts),
    topRemoteIp: top(ips),
  };
  // Written last: a manifest means the export folder is complete.
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { exportDir, manifest, reused: false };
}

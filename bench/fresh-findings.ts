// New findings for the live-ingest phases: another seed (new ids) on the data set's own accounts, as EventBridge events.
import { randomUUID } from 'node:crypto';
import { generateFindingVersions } from '../src/demo/generate.js';
import { buildWorld } from '../src/demo/world.js';
import type { DatasetParams } from './config.js';

export interface FreshFinding {
  readonly key: { readonly accountId: string; readonly region: string; readonly id: string };
  /** The EventBridge event as JSON text, serialised up front so the client's work stays out of the timing. */
  readonly envelope: string;
}

function accountIds(seed: number, params: DatasetParams, findings: number): readonly string[] {
  return buildWorld({ seed, findings, accounts: params.accounts, regions: params.regions, types: params.types, samples: 0 }).accounts.map((a) => a.id);
}

/**
 * `count` findings, one version each, updated in the last day. The seed gives new finding ids; each account
 * is then swapped for the data set's account of the same popularity rank, so live traffic lands on the
 * accounts (and archive partitions) the store already knows, as it would in production.
 */
export function freshFindings(seed: number, count: number, dataset: DatasetParams): FreshFinding[] {
  const generated = accountIds(seed, dataset, count);
  const known = accountIds(dataset.seed, dataset, dataset.findings);
  const swap = new Map(generated.map((id, i) => [id, known[i] ?? id]));
  const out: FreshFinding[] = [];
  const docs = generateFindingVersions({ ...dataset, seed, findings: count, now: Date.now(), days: 1, updatedShare: 0 });
  for (const doc of docs) {
    const generatedAccount = String(doc['accountId']);
    const accountId = swap.get(generatedAccount) ?? generatedAccount;
    const region = String(doc['region']);
    const detail = JSON.stringify(doc).replaceAll(generatedAccount, accountId);
    const head = JSON.stringify({
      version: '0',
      id: randomUUID(),
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: accountId,
      time: doc['updatedAt'],
      region,
      resources: [],
    });
    out.push({ key: { accountId, region, id: String(doc['id']) }, envelope: `${head.slice(0, -1)},"detail":${detail}}` });
  }
  return out;
}

// The added cost per request of access control: resolving the presented key to its principal (through the
// resolver's cache, on a real SQLite store) and evaluating the route's action against a realistic policy set.
// Prints p50/p99 over 100,000 decisions. Run: node --import tsx bench/policy-decision.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { ACTIONS } from '../src/auth/actions.js';
import { generateYkKey } from '../src/auth/principals/keys.js';
import { PrincipalResolver } from '../src/auth/principals/resolver.js';
import { authorize, resourceArn } from '../src/api/authorize.js';
import { SqlitePrincipalStore } from '../src/store/sqlite/principal-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const DECISIONS = 100_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');

/** Three policies of the kind a team writes: broad reads, narrow writes with conditions, a guard-rail Deny. */
const POLICIES: Record<string, unknown> = {
  'alert-readers': {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadAlerting', Effect: 'Allow', Action: ['yagura:List*', 'yagura:Get*'], Resource: ['arn:yagura:alerts:::rule/*', 'arn:yagura:alerts:::destination/*', 'arn:yagura:alerts:::delivery/*'] },
      { Sid: 'OfficeOnly', Effect: 'Deny', Action: 'yagura:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24', '127.0.0.1/32'] } } },
    ],
  },
  'team-rules': {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OwnRules',
        Effect: 'Allow',
        Action: ['yagura:PutAlertRule', 'yagura:DeleteAlertRule', 'yagura:DryRunAlertRule'],
        Resource: 'arn:yagura:alerts:::rule/${aws:PrincipalTag/team}-*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': ['blue', 'red'] }, DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
      },
      { Sid: 'NoAdmin', Effect: 'Deny', NotAction: ['yagura:*AlertRule*', 'yagura:*AlertDestination*', 'yagura:*AlertDeliver*', 'yagura:*Finding*'], Resource: 'arn:yagura:iam:::*' },
    ],
  },
  'business-hours': {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Destinations', Effect: 'Allow', Action: 'yagura:TestAlertDestination', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' }, StringLike: { 'aws:username': 'a*' } } },
      { Sid: 'Findings', Effect: 'Allow', Action: ['yagura:SearchFindings', 'yagura:GetFinding'], Resource: 'arn:aws:guardduty:*:111111111111:detector/*/finding/*' },
    ],
  },
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One run on a fresh store: the user alice in two groups, with one policy of her own, through her key. */
async function measure(label: string, policies: Record<string, unknown>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-bench-policy-'));
  const sqlite = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  try {
    const store = new SqlitePrincipalStore(sqlite.db);
    for (const [name, document] of Object.entries(policies)) await store.createPolicy(name, document, NOW);
    await store.createGroup({ name: 'analysts', policies: ['alert-readers'] }, NOW);
    await store.createGroup({ name: 'blue-team', policies: ['team-rules'] }, NOW);
    await store.createUser({ name: 'alice', tags: { team: 'blue', costCenter: '42' }, groups: ['analysts', 'blue-team'], policies: ['business-hours'] }, NOW);
    const generated = generateYkKey();
    await store.createApiKey({ id: generated.id, prefix: generated.prefix, name: 'bench', hash: generated.hash, owner: { kind: 'user', name: 'alice' }, createdAt: NOW, expiresAt: null });
    const resolver = new PrincipalResolver(store, () => NOW);

    // The routes a dashboard user calls most, with their parameters, and one it is refused.
    const calls = [
      { action: ACTIONS.ListAlertRules, params: {} },
      { action: ACTIONS.GetAlertRule, params: { id: 'blue-high' } },
      { action: ACTIONS.PutAlertRule, params: { id: 'blue-high' } },
      { action: ACTIONS.ListAlertDeliveries, params: {} },
      { action: ACTIONS.DeleteUser, params: { name: 'bob' } },
    ];
    const request = { ip: '192.0.2.10', protocol: 'https' } as FastifyRequest;
    const samples = new Float64Array(DECISIONS);
    let allowed = 0;
    for (let i = 0; i < DECISIONS + 5_000; i++) {
      const call = calls[i % calls.length]!;
      const start = process.hrtime.bigint();
      const resolved = await resolver.byKey(generated.key);
      if (!resolved.ok) throw new Error('the bench key did not resolve');
      request.principal = resolved.principal;
      try {
        authorize(request, call.action, resourceArn(call.action.resource, call.params), NOW);
        allowed++;
      } catch {
        // A refusal costs the same decision.
      }
      const elapsed = Number(process.hrtime.bigint() - start) / 1000;
      if (i >= 5_000) samples[i - 5_000] = elapsed;
    }
    const sorted = Array.from(samples).sort((a, b) => a - b);
    const statements = Object.values(policies).reduce((n: number, p) => n + (p as { Statement: unknown[] }).Statement.length, 0);
    process.stdout.write(
      `${label} (${Object.keys(policies).length} policies, ${statements} statements, ${calls.length} routes): ` +
        `${DECISIONS} decisions, p50 ${percentile(sorted, 50).toFixed(1)} µs, p99 ${percentile(sorted, 99).toFixed(1)} µs, max ${sorted[sorted.length - 1]!.toFixed(0)} µs ` +
        `(${Math.round((allowed / (DECISIONS + 5_000)) * 100)}% allowed)\n`,
    );
  } finally {
    await sqlite.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await measure('policy decision, resolve key + evaluate', POLICIES);
// The same set without its IpAddress condition, which is most of the engine's cost per decision.
const withoutIp = structuredClone(POLICIES) as Record<string, { Statement: unknown[] }>;
withoutIp['alert-readers']!.Statement = withoutIp['alert-readers']!.Statement.slice(0, 1);
await measure('the same without the IpAddress condition', withoutIp);

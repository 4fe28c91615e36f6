// Hostile findings for POST /api/v1/events: huge numbers, NaN, deep nesting, prototype keys, NUL, odd times, escaping keys.
import { eventOf } from '../../fixtures/findings.js';
import { allRejected, error, events, hostileFinding as doc, nested, ndjson, partly, withRaw, type HttpCase } from '../case.js';
import { currentLine, seedNamed } from '../seed.js';

function withService(id: string, service: Record<string, unknown>): Record<string, unknown> {
  const d = doc(id);
  return { ...d, service: { ...(d.service as Record<string, unknown>), ...service } };
}

const json = (value: unknown): string => JSON.stringify(value);

const hugeNumbers: HttpCase[] = [
  { name: 'severity 1e400', target: 'ingest', request: () => events(withRaw(doc('sev-1e400', { severity: '@@n' }), '@@n', '1e400')), expect: allRejected('INVALID_FIELD') },
  { name: 'severity -1e400', target: 'ingest', request: () => events(withRaw(doc('sev-neg', { severity: '@@n' }), '@@n', '-1e400')), expect: allRejected('INVALID_FIELD') },
  {
    name: 'severity 123456789012345678901234567890',
    target: 'ingest',
    request: () => events(withRaw(doc('sev-big', { severity: '@@n' }), '@@n', '123456789012345678901234567890')),
    expect: allRejected('INVALID_FIELD'),
  },
  {
    name: 'severity written with 100,000 digits',
    target: 'ingest',
    request: () => events(withRaw(doc('sev-digits', { severity: '@@n' }), '@@n', `9${'0'.repeat(99_999)}`)),
    expect: allRejected('INVALID_FIELD'),
  },
  { name: 'service.count 1e400', target: 'ingest', request: () => events(withRaw(withService('count-1e400', { count: '@@n' }), '@@n', '1e400')), expect: allRejected('INVALID_FIELD') },
  {
    name: 'service.count -123456789012345678901234567890',
    target: 'ingest',
    request: () => events(withRaw(withService('count-neg', { count: '@@n' }), '@@n', '-123456789012345678901234567890')),
    expect: allRejected('INVALID_FIELD'),
  },
  { name: 'updatedAt 1e400 as a number', target: 'ingest', request: () => events(withRaw(doc('ts-1e400', { updatedAt: '@@n' }), '@@n', '1e400')), expect: allRejected('INVALID_FIELD') },
  {
    name: 'a redelivered finding whose count is 123456789012345678901234567890',
    target: 'ingest',
    request: (ctx) => events(currentLine(seedNamed(ctx.seeds, 'seed-huge-count'))),
    expect: partly({ duplicates: 1 }),
  },
];

const nanInfinity: HttpCase[] = [
  { name: 'severity "NaN" as a string', target: 'ingest', request: () => events(json(doc('nan-str', { severity: 'NaN' }))), expect: allRejected('INVALID_FIELD') },
  { name: 'severity "Infinity" as a string', target: 'ingest', request: () => events(json(doc('inf-str', { severity: 'Infinity' }))), expect: allRejected('INVALID_FIELD') },
  { name: 'service.count "-Infinity" as a string', target: 'ingest', request: () => events(json(withService('ninf-str', { count: '-Infinity' }))), expect: allRejected('INVALID_FIELD') },
  { name: 'updatedAt "NaN" as a string', target: 'ingest', request: () => events(json(doc('nan-ts', { updatedAt: 'NaN' }))), expect: allRejected('INVALID_FIELD') },
  { name: 'a bare NaN token as severity', target: 'ingest', request: () => events(withRaw(doc('nan-bare', { severity: '@@n' }), '@@n', 'NaN')), expect: error(400, 'INVALID_JSON') },
  { name: 'a bare -Infinity token as updatedAt', target: 'ingest', request: () => events(withRaw(doc('ninf-bare', { updatedAt: '@@n' }), '@@n', '-Infinity')), expect: error(400, 'INVALID_JSON') },
  {
    name: 'an NDJSON line with a bare Infinity token',
    target: 'ingest',
    request: (ctx) => ndjson([currentLine(seedNamed(ctx.seeds, 'seed-tor')), withRaw(doc('inf-bare', { severity: '@@n' }), '@@n', 'Infinity')]),
    expect: partly({ duplicates: 1, rejected: ['INVALID_JSON'] }),
  },
];

const deep: HttpCase[] = [
  { name: 'a body of arrays nested 10,000 deep', target: 'ingest', request: () => events(nested(10_000, '1', '[', ']')), expect: allRejected('NESTING_TOO_DEEP') },
  { name: 'a body of objects nested 10,000 deep', target: 'ingest', request: () => events(nested(10_000, '1')), expect: allRejected('NESTING_TOO_DEEP') },
  {
    name: 'a finding with a field nested 10,000 deep',
    target: 'ingest',
    request: () => events(withRaw(doc('deep'), '2.0', nested(10_000, '"2.0"'))),
    expect: allRejected('NESTING_TOO_DEEP'),
  },
  {
    name: 'an event envelope with resources nested 10,000 deep',
    target: 'ingest',
    request: () => events(withRaw({ ...eventOf(doc('deep-env')), resources: '@@n' }, '@@n', nested(10_000, '[]', '[', ']'))),
    expect: allRejected('NESTING_TOO_DEEP'),
  },
  {
    name: 'an NDJSON line nested 10,000 deep next to a redelivery',
    target: 'ingest',
    request: (ctx) => ndjson([nested(10_000, '1'), currentLine(seedNamed(ctx.seeds, 'seed-probe'))]),
    expect: partly({ duplicates: 1, rejected: ['NESTING_TOO_DEEP'] }),
  },
];

const protoKeys: HttpCase[] = [
  { name: 'a __proto__ key at the top of a finding', target: 'ingest', request: () => events(`{"__proto__":{"polluted":true},${json(doc('proto-top')).slice(1)}`), expect: allRejected('FORBIDDEN_KEY') },
  {
    name: 'a __proto__ key deep inside the detail',
    target: 'ingest',
    request: () => events(json(eventOf(doc('proto-deep'))).replace('"actionType":', '"__proto__":{"polluted":true},"actionType":')),
    expect: allRejected('FORBIDDEN_KEY'),
  },
  { name: 'a __proto__ key in the event envelope', target: 'ingest', request: () => events(`{"__proto__":{"polluted":true},${json(eventOf(doc('proto-env'))).slice(1)}`), expect: allRejected('FORBIDDEN_KEY') },
  {
    name: 'a __proto__ key spelled with \\u escapes',
    target: 'ingest',
    request: () => events(`{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true},${json(doc('proto-esc')).slice(1)}`),
    expect: allRejected('FORBIDDEN_KEY'),
  },
  {
    name: 'constructor.prototype at the top of a finding',
    target: 'ingest',
    request: () => events(`{"constructor":{"prototype":{"polluted":true}},${json(doc('ctor')).slice(1)}`),
    expect: allRejected('FORBIDDEN_KEY'),
  },
  {
    name: 'a prototype key inside an array element',
    target: 'ingest',
    request: () => events(json(doc('proto-array')).replace('{"key":"Environment"', '{"prototype":{"polluted":true},"key":"Environment"')),
    expect: allRejected('FORBIDDEN_KEY'),
  },
  {
    name: 'a __proto__ key on a GetFindings page',
    target: 'ingest',
    request: () => events(`{"__proto__":{"polluted":true},"findings":[${json(doc('proto-page'))}]}`),
    expect: allRejected('FORBIDDEN_KEY'),
  },
  {
    name: 'NDJSON lines with __proto__ and constructor keys next to a redelivery',
    target: 'ingest',
    request: (ctx) => ndjson([
      `{"__proto__":{"polluted":true},${json(doc('proto-nd1')).slice(1)}`,
      currentLine(seedNamed(ctx.seeds, 'seed-tor')),
      `{"constructor":{"prototype":{"polluted":true}},${json(eventOf(doc('proto-nd2'))).slice(1)}`,
    ]),
    expect: partly({ duplicates: 1, rejected: ['FORBIDDEN_KEY', 'FORBIDDEN_KEY'] }),
  },
];

const nul: HttpCase[] = [
  { name: 'a NUL byte in the id', target: 'ingest', request: () => events(json(doc('nul', { id: 'hostile-nul\u0000' }))), expect: allRejected('INVALID_FIELD') },
  { name: 'a NUL byte in the type', target: 'ingest', request: () => events(json(doc('nul-type', { type: 'Recon:EC2/\u0000Probe' }))), expect: allRejected('INVALID_FIELD') },
  { name: 'a NUL byte in the region', target: 'ingest', request: () => events(json(doc('nul-region', { region: 'us-east-1\u0000' }))), expect: allRejected('INVALID_FIELD') },
  { name: 'a NUL byte in the account id', target: 'ingest', request: () => events(json(doc('nul-account', { accountId: '1111\u00002222' }))), expect: allRejected('INVALID_FIELD') },
  {
    name: 'a redelivered finding with NUL, CRLF and bidi controls in its title',
    target: 'ingest',
    request: (ctx) => events(currentLine(seedNamed(ctx.seeds, 'seed-odd'))),
    expect: partly({ duplicates: 1 }),
  },
];

const timestamps: HttpCase[] = [
  ['a 1,000-digit fraction', '2026-11-20T08:00:00.' + '9'.repeat(1000) + 'Z'],
  ['an RFC 2822 date', 'Fri, 20 Nov 2026 08:00:00 GMT'],
  ['basic ISO-8601 without separators', '20261120T080000Z'],
  ['hour 24', '2026-11-20T24:00:00Z'],
  ['an offset of +99:99', '2026-11-20T08:00:00+99:99'],
  ['a bracketed zone name', '2026-11-20T08:00:00Z[Europe/Paris]'],
  ['a six-digit year', '+275760-09-13T00:00:00Z'],
  ['a negative epoch', -1],
  ['an epoch past the end of time', 8.64e15 + 1],
  ['an object', { $date: '2026-11-20T08:00:00Z' }],
].map(([what, value]) => ({
  name: `updatedAt as ${String(what)}`,
  target: 'ingest',
  request: () => events(json(doc(`ts-${String(what).replaceAll(/\W+/g, '-')}`, { updatedAt: value }))),
  expect: allRejected('INVALID_FIELD'),
}));
timestamps.push(
  { name: 'createdAt "yesterday"', target: 'ingest', request: () => events(json(doc('created-yesterday', { createdAt: 'yesterday' }))), expect: allRejected('INVALID_FIELD') },
  {
    name: 'updatedAt on a day February does not have (2026-02-30)',
    target: 'ingest',
    request: () => events(json(doc('feb30', { updatedAt: '2026-02-30T00:00:00Z' }))),
    expect: allRejected('INVALID_FIELD'),
  },
);

const traversal: HttpCase[] = [
  ['an account id of ../../../../etc', { accountId: '../../../../etc' }],
  ['an account id with Windows separators', { accountId: '..\\..\\Windows' }],
  ['an absolute account id /etc/passwd', { accountId: '/etc/passwd' }],
  ['a URL-encoded account id %2e%2e%2f', { accountId: '%2e%2e%2f%2e%2e%2f' }],
  ['an account id of ..', { accountId: '..' }],
  ['an account id C:\\Windows', { accountId: 'C:\\Windows' }],
  ['a region of ..', { region: '..' }],
  ['a region us-east-1/../../x', { region: 'us-east-1/../../x' }],
  ['an id ../../etc/passwd', { id: '../../etc/passwd' }],
  ['an id with CRLF and a Set-Cookie header', { id: 'x\r\nSet-Cookie: pwned=1' }],
  ['a type with CRLF and a Set-Cookie header', { type: 'Recon\r\nSet-Cookie: pwned=1' }],
].map(([what, overrides], i) => ({
  name: `${String(what)}`,
  target: 'ingest',
  request: () => events(json(doc(`path-${i}`, overrides as Record<string, unknown>))),
  expect: allRejected('INVALID_FIELD'),
}));

const envelopes: HttpCase[] = [
  {
    name: 'an event whose source is an object without a usable toString',
    target: 'ingest',
    request: () => events(json({ source: { toString: 1 }, 'detail-type': 'GuardDuty Finding', detail: doc('source-object') })),
    expect: partly({ ignored: 1 }),
  },
  {
    name: 'an event whose detail-type is an object without a usable toString',
    target: 'ingest',
    request: () => events(json({ source: 'aws.guardduty', 'detail-type': { toString: 'x', valueOf: 'y' }, detail: doc('dt-object') })),
    expect: partly({ ignored: 1 }),
  },
  { name: 'an event whose detail is null', target: 'ingest', request: () => events(json({ ...eventOf(doc('detail-null')), detail: null })), expect: allRejected('NOT_AN_OBJECT') },
  {
    name: 'a CloudTrail event next to a finding without an id',
    target: 'ingest',
    request: () => events(json([eventOf(doc('ct'), 'AWS API Call via CloudTrail'), { ...doc('no-id'), id: undefined }])),
    expect: partly({ ignored: 1, rejected: ['MISSING_FIELD'] }),
  },
  { name: 'an array of non-objects', target: 'ingest', request: () => events('[1, "x", null, true]'), expect: allRejected('NOT_AN_OBJECT', 'NOT_AN_OBJECT', 'NOT_AN_OBJECT', 'NOT_AN_OBJECT') },
  { name: 'an empty object', target: 'ingest', request: () => events('{}'), expect: allRejected('MISSING_FIELD') },
];

export const INGEST_DOCUMENT_CASES: readonly HttpCase[] = [
  ...hugeNumbers,
  ...nanInfinity,
  ...deep,
  ...protoKeys,
  ...nul,
  ...timestamps,
  ...traversal,
  ...envelopes,
];

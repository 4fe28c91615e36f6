// Hostile files for `yagura import`: broken gzip, odd JSON files, giant lines, symlink loops, bad findings.
import { gzipSync } from 'node:zlib';
import { eventOf } from '../../fixtures/findings.js';
import { hostileFinding, nested, withBytes, type ImportCase } from '../case.js';
import { currentLine, seedNamed } from '../seed.js';

const json = (value: unknown): string => JSON.stringify(value);

function doc(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return hostileFinding(`import-${id}`, overrides);
}

/** An export object of three findings no one has stored. */
function exportObject(): Buffer {
  return gzipSync(`${[1, 2, 3].map((n) => json(doc(`gz${n}`))).join('\n')}\n`);
}

export const IMPORT_CASES: readonly ImportCase[] = [
  {
    name: 'a .jsonl.gz that is not gzip at all',
    target: 'import',
    files: () => [{ path: 'a.jsonl.gz', data: 'this is not gzip' }],
    expect: { rejected: [['a.jsonl.gz', 'UNREADABLE_FILE']] },
  },
  {
    name: 'a .json.gz with a corrupt deflate stream',
    target: 'import',
    files: () => {
      const gz = exportObject();
      for (let i = 12; i < gz.length - 8; i += 7) gz[i] = gz[i]! ^ 0x5a;
      return [{ path: 'a.json.gz', data: gz }];
    },
    expect: { rejected: [['a.json.gz', 'UNREADABLE_FILE']] },
  },
  {
    name: 'a gzip object truncated to its 10-byte header',
    target: 'import',
    files: () => [{ path: 'a.jsonl.gz', data: exportObject().subarray(0, 10) }],
    expect: { rejected: [['a.jsonl.gz', 'UNREADABLE_FILE']] },
  },
  {
    name: 'a gzip object truncated in the middle of its deflate stream',
    target: 'import',
    files: () => {
      const gz = exportObject();
      return [{ path: 'a.jsonl.gz', data: gz.subarray(0, Math.floor(gz.length / 2)) }];
    },
    expect: { rejected: [['a.jsonl.gz', 'UNREADABLE_FILE']] },
  },
  {
    name: 'a gzip object missing only its CRC and size trailer',
    target: 'import',
    files: () => {
      const gz = exportObject();
      return [{ path: 'a.jsonl.gz', data: gz.subarray(0, gz.length - 8) }];
    },
    expect: { rejected: [['a.jsonl.gz', 'UNREADABLE_FILE']] },
  },
  {
    name: 'a .json file holding a bare string',
    target: 'import',
    files: () => [{ path: 'a.json', data: '"GuardDuty Finding"' }],
    expect: { rejected: [['a.json:1', 'NOT_AN_OBJECT']] },
  },
  {
    name: 'a .json file holding 1e400',
    target: 'import',
    files: () => [{ path: 'a.json', data: '1e400' }],
    expect: { rejected: [['a.json:1', 'NOT_AN_OBJECT']] },
  },
  {
    name: 'an empty .json file',
    target: 'import',
    files: () => [{ path: 'a.json', data: '' }],
    expect: { rejected: [['a.json:1', 'INVALID_JSON']] },
  },
  {
    name: 'a .json file with a bare NaN',
    target: 'import',
    files: () => [{ path: 'a.json', data: `{"severity": NaN, ${json(doc('nan')).slice(1)}` }],
    expect: { rejected: [['a.json:1', 'INVALID_JSON']] },
  },
  {
    name: 'a .json GetFindings page of 100,000 findings',
    target: 'import',
    files: () => [{ path: 'a.json', data: `{"findings":[${Array(100_000).fill('1').join(',')}]}` }],
    expect: { rejected: [['a.json:1', 'DOCUMENT_TOO_LARGE']] },
  },
  {
    name: 'a 20 MB line followed by a redelivered finding',
    target: 'import',
    files: (seeds) => [{ path: 'a.jsonl', data: `{"title":"${'x'.repeat(20 * 1024 * 1024)}"}\n${currentLine(seedNamed(seeds, 'seed-probe'))}\n` }],
    expect: { rejected: [['a.jsonl:1', 'DOCUMENT_TOO_LARGE']], redelivered: 1 },
  },
  {
    name: 'a small gzip object that inflates to one 24 MB line',
    target: 'import',
    files: () => [{ path: 'a.jsonl.gz', data: gzipSync(Buffer.alloc(24 * 1024 * 1024, 0x61)) }],
    expect: { rejected: [['a.jsonl.gz:1', 'DOCUMENT_TOO_LARGE']] },
  },
  {
    name: 'symlink loops and a dangling link in the folder',
    target: 'import',
    files: () => [
      { path: 'loop', symlinkTo: '.' },
      { path: 'up.jsonl', symlinkTo: '..' },
      { path: 'a.jsonl', symlinkTo: 'b.jsonl' },
      { path: 'b.jsonl', symlinkTo: 'a.jsonl' },
      { path: 'gone.jsonl', symlinkTo: 'does-not-exist.jsonl' },
    ],
    expect: { rejected: [] },
  },
  {
    name: 'a symlink loop named on the command line',
    target: 'import',
    files: () => [
      { path: 'a.jsonl', symlinkTo: 'b.jsonl' },
      { path: 'b.jsonl', symlinkTo: 'a.jsonl' },
    ],
    args: ['a.jsonl'],
    expect: { throws: /ELOOP/ },
  },
  {
    name: 'lines with __proto__, constructor and prototype keys',
    target: 'import',
    files: () => [{
      path: 'a.jsonl',
      data: [
        `{"__proto__":{"polluted":true},${json(doc('proto')).slice(1)}`,
        `{"constructor":{"prototype":{"polluted":true}},${json(eventOf(doc('ctor'))).slice(1)}`,
        json(doc('prototype')).replace('{"key":"Environment"', '{"prototype":{"polluted":true},"key":"Environment"'),
      ].join('\n'),
    }],
    expect: { rejected: [['a.jsonl:1', 'FORBIDDEN_KEY'], ['a.jsonl:2', 'FORBIDDEN_KEY'], ['a.jsonl:3', 'FORBIDDEN_KEY']] },
  },
  {
    name: 'a line nested 10,000 deep',
    target: 'import',
    files: () => [{ path: 'a.ndjson', data: `\n${nested(10_000, '1', '[', ']')}\n` }],
    expect: { rejected: [['a.ndjson:2', 'NESTING_TOO_DEEP']] },
  },
  {
    name: 'findings whose keys would escape the archive folder',
    target: 'import',
    files: () => [{
      path: 'a.jsonl',
      data: [
        json(doc('t1', { accountId: '../../../../tmp/escape' })),
        json(doc('t2', { region: '..' })),
        json(doc('t3', { accountId: '/etc' })),
        json(doc('t4', { accountId: '%2e%2e%2f' })),
        json(doc('t5', { region: '..\\..\\x' })),
      ].join('\r\n'),
    }],
    expect: { rejected: [1, 2, 3, 4, 5].map((n) => [`a.jsonl:${n}`, 'INVALID_FIELD'] as const) },
  },
  {
    name: 'NUL bytes and CRLF in ids and types',
    target: 'import',
    files: () => [{
      path: 'a.jsonl',
      data: [json(doc('nul', { id: 'x\u0000y' })), json(doc('crlf', { type: 'Recon\r\nSet-Cookie: x=1' }))].join('\n'),
    }],
    expect: { rejected: [['a.jsonl:1', 'INVALID_FIELD'], ['a.jsonl:2', 'INVALID_FIELD']] },
  },
  {
    name: 'a .jsonl file starting with a byte order mark',
    target: 'import',
    files: () => [{ path: 'a.jsonl', data: `\ufeff${json(doc('bom'))}\n` }],
    expect: { rejected: [['a.jsonl:1', 'INVALID_JSON']] },
  },
  {
    name: 'a real finding truncated at several points, one per line',
    target: 'import',
    files: () => {
      const text = json(eventOf(doc('cut')));
      return [{ path: 'a.jsonl', data: [1, 100, 500, 1000, text.length - 1].map((n) => text.slice(0, n)).join('\n') }];
    },
    expect: { rejected: [1, 2, 3, 4, 5].map((n) => [`a.jsonl:${n}`, 'INVALID_JSON'] as const) },
  },
  {
    name: 'invalid UTF-8 inside a title',
    target: 'import',
    files: () => [{ path: 'a.jsonl', data: withBytes(doc('utf8', { title: '@@bytes' }), '@@bytes', [0x41, 0xff, 0xc0, 0xaf, 0x42]) }],
    expect: { rejected: [['a.jsonl:1', 'INVALID_JSON']] },
  },
  {
    name: 'an event whose source is an object without a usable toString',
    target: 'import',
    files: () => [{ path: 'a.jsonl', data: `${json({ source: { toString: 1 }, 'detail-type': 'GuardDuty Finding', detail: doc('source-object') })}\n` }],
    expect: { rejected: [], ignored: 1 },
  },
];

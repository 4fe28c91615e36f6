// Hostile bodies for POST /api/v1/events as bytes: broken and cut JSON, bad encodings, huge and wide bodies, bad framing.
import { eventOf, findingDoc } from '../../fixtures/findings.js';
import { allRejected, error, events, hostileFinding as doc, ndjson, partly, truncatedAt, withBytes, withRaw, type HttpCase } from '../case.js';
import { currentLine, seedNamed } from '../seed.js';

const MB10 = 10_000_000;
const MIB10 = 10 * 1024 * 1024;
const json = (value: unknown): string => JSON.stringify(value);

/** A real EventBridge event whose JSON is cut at several points. */
const REAL = json(eventOf(findingDoc({ id: 'hostile-truncated', title: 'say "hi" to the Tor node' })));

const truncated: HttpCase[] = [
  ['after the first byte', REAL.slice(0, 1)],
  ['inside a key', truncatedAt(REAL, '"detail-type"', 5)],
  ['inside a string value', truncatedAt(REAL, 'Tor node', 3)],
  ['inside a number', truncatedAt(REAL, '"port":9001', 9)],
  ['right after an escaping backslash', truncatedAt(REAL, '\\"hi', 1)],
  ['before the last closing brace', REAL.slice(0, -1)],
].map(([where, payload]) => ({
  name: `a real event truncated ${where!}`,
  target: 'ingest',
  request: () => events(payload!),
  expect: error(400, 'INVALID_JSON'),
}));

const malformed: HttpCase[] = [
  { name: 'single-quoted JSON', target: 'ingest', request: () => events("{'id':'x','severity':8}"), expect: error(400, 'INVALID_JSON') },
  { name: 'two JSON documents back to back', target: 'ingest', request: () => events(`${json(doc('twice'))}${json(doc('twice2'))}`), expect: error(400, 'INVALID_JSON') },
  { name: 'a trailing comma and a comment', target: 'ingest', request: () => events('{"id":"x",} // done'), expect: error(400, 'INVALID_JSON') },
  {
    name: 'an NDJSON batch whose second line is a truncated event',
    target: 'ingest',
    request: (ctx) => ndjson([currentLine(seedNamed(ctx.seeds, 'seed-tor')), REAL.slice(0, REAL.length / 2)]),
    expect: partly({ duplicates: 1, rejected: ['INVALID_JSON'] }),
  },
];

const invalidUtf8: HttpCase[] = [
  {
    name: 'a byte 0xFF between JSON tokens',
    target: 'ingest',
    request: () => events(Buffer.concat([Buffer.from('{"id":"x",'), Buffer.from([0xff]), Buffer.from('"severity":8}')])),
    expect: error(400, 'INVALID_JSON'),
  },
  {
    name: 'invalid UTF-8 (0xFF 0xFE, a cut 3-byte sequence) inside the title',
    target: 'ingest',
    request: () => events(withBytes(doc('utf8-title', { title: '@@bytes' }), '@@bytes', [0x41, 0xff, 0xfe, 0xe2, 0x82, 0x42])),
    expect: error(400, 'INVALID_JSON'),
  },
  {
    name: 'an NDJSON line whose type holds a UTF-16 surrogate encoded in UTF-8 (0xED 0xA0 0x80)',
    target: 'ingest',
    request: (ctx) => {
      const line = withBytes(doc('utf8-surrogate', { type: 'Recon:EC2/@@bytes' }), '@@bytes', [0xed, 0xa0, 0x80]);
      return events(Buffer.concat([Buffer.from(`${currentLine(seedNamed(ctx.seeds, 'seed-tor'))}\n`), line, Buffer.from('\n')]), 'application/x-ndjson');
    },
    expect: partly({ duplicates: 1, rejected: ['INVALID_JSON'] }),
  },
  {
    name: 'a UTF-16LE body labelled charset=utf-16le',
    target: 'ingest',
    request: () => events(Buffer.from(json(doc('utf16')), 'utf16le'), 'application/json; charset=utf-16le'),
    expect: error(400, 'INVALID_JSON'),
  },
  {
    name: 'a body starting with a UTF-8 byte order mark',
    target: 'ingest',
    request: () => events(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json(doc('bom')))])),
    expect: error(400, 'INVALID_JSON'),
  },
];

const bigStrings: HttpCase[] = [
  { name: 'a 10 MB id, under the 10 MiB body limit', target: 'ingest', request: () => events(json(doc('x', { id: 'i'.repeat(MB10) }))), expect: allRejected('DOCUMENT_TOO_LARGE') },
  { name: 'a 10 MB type, under the body limit', target: 'ingest', request: () => events(json(doc('big-type', { type: 'T'.repeat(MB10) }))), expect: allRejected('DOCUMENT_TOO_LARGE') },
  { name: 'a 10 MB updatedAt, under the body limit', target: 'ingest', request: () => events(json(doc('big-ts', { updatedAt: `2026-11-20T08:00:00.${'0'.repeat(MB10)}Z` }))), expect: allRejected('DOCUMENT_TOO_LARGE') },
  { name: 'a 10 MB title, under the body limit but over the 1 MiB finding limit', target: 'ingest', request: () => events(json(doc('big-title-under', { title: 't'.repeat(MB10) }))), expect: allRejected('DOCUMENT_TOO_LARGE') },
  { name: 'a 10 MB NDJSON line that is not JSON', target: 'ingest', request: () => ndjson(['x'.repeat(MB10)]), expect: allRejected('INVALID_JSON') },
  { name: 'a 10 MiB title, over the body limit', target: 'ingest', request: () => events(json(doc('big-title', { title: 't'.repeat(MIB10) }))), expect: error(413, 'BODY_TOO_LARGE') },
  { name: 'a 10 MiB NDJSON line, over the body limit', target: 'ingest', request: () => ndjson([json(doc('big-line', { description: 'd'.repeat(MIB10) }))]), expect: error(413, 'BODY_TOO_LARGE') },
];

const wide: HttpCase[] = [
  { name: 'a body that is an array of 100,000 items', target: 'ingest', request: () => events(`[${Array(100_000).fill('{}').join(',')}]`), expect: error(413, 'TOO_MANY_ITEMS') },
  { name: 'an NDJSON body of 100,000 lines', target: 'ingest', request: () => events(`${Array(100_000).fill('{}').join('\n')}\n`, 'application/x-ndjson'), expect: error(413, 'TOO_MANY_ITEMS') },
  {
    name: 'a finding holding a 100,000-element array',
    target: 'ingest',
    request: () => events(withRaw(doc('wide', { evidence: '@@n' }), '@@n', `[${Array(100_000).fill('0').join(',')}]`)),
    expect: allRejected('DOCUMENT_TOO_LARGE'),
  },
  {
    name: 'a GetFindings page of 100,000 findings',
    target: 'ingest',
    request: () => events(`{"findings":[${Array(100_000).fill('1').join(',')}]}`),
    expect: allRejected('DOCUMENT_TOO_LARGE'),
  },
];

const framing: HttpCase[] = [
  { name: 'text/plain', target: 'ingest', request: () => events(json(doc('ct-text')), 'text/plain'), expect: error(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'application/xml', target: 'ingest', request: () => events('<finding><id>x</id></finding>', 'application/xml'), expect: error(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'multipart/form-data', target: 'ingest', request: () => events('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n{}\r\n--x--\r\n', 'multipart/form-data; boundary=x'), expect: error(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'a look-alike media type application/jsonx', target: 'ingest', request: () => events(json(doc('ct-jsonx')), 'application/jsonx'), expect: error(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'no Content-Type at all', target: 'ingest', request: () => events(json(doc('ct-none')), null), expect: error(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'an empty JSON body', target: 'ingest', request: () => events(''), expect: error(400, 'EMPTY_BODY') },
  { name: 'a JSON body of blanks', target: 'ingest', request: () => events(' \r\n\t '), expect: error(400, 'EMPTY_BODY') },
  { name: 'an empty JSON array', target: 'ingest', request: () => events('[]'), expect: error(400, 'EMPTY_BODY') },
  { name: 'an NDJSON body of blank lines', target: 'ingest', request: () => events('\r\n \n\r\n', 'application/x-ndjson'), expect: error(400, 'EMPTY_BODY') },
  {
    name: 'a Content-Length shorter than the body',
    target: 'ingest',
    request: () => ({ ...events(json(doc('cl'))), headers: { 'content-length': '5' } }),
    expect: error(400, 'INVALID_CONTENT_LENGTH'),
  },
];

export const INGEST_FRAMING_CASES: readonly HttpCase[] = [...truncated, ...malformed, ...invalidUtf8, ...bigStrings, ...wide, ...framing];

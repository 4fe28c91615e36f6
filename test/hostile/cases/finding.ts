// Hostile keys for GET /api/v1/findings/{accountId}/{region}/{id}: traversal, encodings, header injection, length.
import { error, findingAt, type HttpCase } from '../case.js';

const notFound = error(404, 'FINDING_NOT_FOUND');

export const FINDING_CASES: readonly HttpCase[] = [
  { name: 'an account of ../../../etc via encoded slashes', target: 'finding', request: () => findingAt('..%2F..%2F..%2Fetc/passwd/x'), expect: notFound },
  { name: 'a lower-case %2e%2e%2f account', target: 'finding', request: () => findingAt('%2e%2e%2f%2e%2e%2f/etc/passwd'), expect: notFound },
  { name: 'an account of ..\\..\\Windows via %5C', target: 'finding', request: () => findingAt('..%5C..%5CWindows/us-east-1/x'), expect: notFound },
  { name: 'an absolute account /etc/passwd', target: 'finding', request: () => findingAt('%2Fetc%2Fpasswd/us-east-1/x'), expect: notFound },
  { name: 'an id reaching for the database file', target: 'finding', request: () => findingAt('111122223333/us-east-1/..%2F..%2F..%2Fyagura.db'), expect: notFound },
  { name: 'double-encoded %252e%252e%252f', target: 'finding', request: () => findingAt('%252e%252e%252f/us-east-1/x'), expect: notFound },
  // The path leaves the findings routes altogether once its dot segments are resolved.
  { name: 'raw ../ segments', target: 'finding', request: () => findingAt('../../../etc/passwd'), expect: error(404, 'NOT_FOUND') },
  { name: 'an id with CRLF and a Set-Cookie header', target: 'finding', request: () => findingAt('111122223333/us-east-1/x%0D%0ASet-Cookie:%20pwned=1'), expect: notFound },
  { name: 'an id with a NUL byte', target: 'finding', request: () => findingAt('111122223333/us-east-1/seed-tor%00'), expect: notFound },
  {
    name: 'an id with invalid UTF-8 escapes %FF%FE',
    target: 'finding',
    request: () => findingAt('111122223333/us-east-1/%FF%FE'),
    expect: error(400, 'INVALID_PARAMETER'),
  },
  { name: 'an id of 257 to 300 characters', target: 'finding', request: () => findingAt(`111122223333/us-east-1/${'x'.repeat(280)}`), expect: error(400, 'INVALID_PARAMETER') },
  {
    name: 'an id of 400 characters (beyond the router limit)',
    target: 'finding',
    request: () => findingAt(`111122223333/us-east-1/${'x'.repeat(400)}`),
    expect: error(400, 'INVALID_PARAMETER'),
  },
  {
    name: 'a malformed percent-escape %A in the path',
    target: 'finding',
    request: () => findingAt('111122223333/us-east-1/%E0%A4%A'),
    expect: error(400, 'INVALID_PARAMETER'),
  },
];

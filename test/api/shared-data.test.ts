// Conformance with real GuardDuty data: every file in ../shared/data/guardduty is stored, ignored or rejected
// with a reason — never a crash. Runs only where that folder exists (developer machines and CI).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { harness, type Harness } from '../support/harness.js';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/guardduty');
const files = existsSync(DATA) ? readdirSync(DATA).filter((f) => f.endsWith('.json')).sort() : [];

/** What each kind of file must become (a rejection with its code); anything not listed must be stored. */
const EXPECTED: Readonly<Record<string, 'ignored' | 'empty' | { rejected: string }>> = {
  'cloudtrail-api-call-createsamplefindings__alertlogic.json': 'ignored',
  'getfindings-empty-response__elastic.json': 'empty',
  'stealth-iamuser-cloudtrailloggingdisabled-asff__ocsf-examples.json': { rejected: 'SECURITY_HUB_FINDING' },
  'stealth-iamuser-cloudtrailloggingdisabled-ocsf__ocsf-examples.json': { rejected: 'MISSING_FIELD' },
  // Partial envelope: the envelope's region fills the finding's, but it has no updatedAt.
  'recon-ec2-portprobeunprotectedport-minimal-sev2__notify-slack.json': { rejected: 'MISSING_FIELD' },
  // Hand-made test event whose finding has no accountId, and whose envelope has no account either.
  'unauthorizedaccess-ec2-sshbruteforce-partial-envelope__aws-samples-waf-acl.json': { rejected: 'MISSING_FIELD' },
};

describe('real GuardDuty documents from shared/data', { skip: files.length === 0 && 'shared/data/guardduty is not present' }, () => {
  let h: Harness;
  before(async () => {
    h = await harness({ maxBodyBytes: 4 * 1024 * 1024 });
  });
  after(async () => h.close());

  for (const file of files) {
    test(`handles ${file}`, async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...h.auth, 'content-type': 'application/json' },
        payload: readFileSync(path.join(DATA, file)),
      });
      assert.ok(res.statusCode === 200 || res.statusCode === 400, `${res.statusCode} ${res.body}`);
      const body = res.json();
      const expected = EXPECTED[file] ?? 'stored';
      if (expected === 'empty') {
        assert.equal(res.statusCode, 200);
        assert.deepEqual(body, { accepted: 0, duplicates: 0, created: 0, updated: 0, ignored: 0, rejected: [] });
        return;
      }
      if (expected === 'stored') {
        assert.equal(res.statusCode, 200, res.body);
        assert.ok(body.accepted + body.duplicates >= 1, res.body);
        assert.deepEqual(body.rejected, []);
      } else if (expected === 'ignored') {
        assert.equal(body.ignored, 1);
        assert.equal(body.accepted, 0);
      } else {
        assert.equal(res.statusCode, 400);
        assert.ok(body.rejected.length >= 1);
        assert.equal(body.error.code, expected.rejected, body.error.message);
        assert.ok(body.error.message.length > 10);
      }
    });
  }

  test('keeps every stored document verbatim, unknown fields included', async () => {
    const file = 'privilegeescalation-runtime-dockersocketaccessed__elastic.json';
    const doc = JSON.parse(readFileSync(path.join(DATA, file), 'utf8')) as { accountId: string; region: string; id: string };
    const res = await h.app.inject({ url: `/api/v1/findings/${doc.accountId}/${doc.region}/${doc.id}`, headers: h.auth });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().finding, doc);
  });
});

// `yagura login` as a user runs it: the built CLI against a real server and a real OpenLDAP server, writing an AWS
// credentials profile that the AWS SDK then reads, and printing credential_process JSON.
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { cliServer, yagura, type CliServer } from '../support/cli.js';
import { ldapSettings, startSlapd, type Slapd } from '../support/slapd.js';

const KEY = 'ygr_cli-login-test-key-0123456789abcdef';

describe('yagura login', () => {
  let slapd: Slapd;
  let s: CliServer;

  before(async () => {
    slapd = await startSlapd();
    s = await cliServer('login', KEY, {
      ldap: {
        ...ldapSettings(slapd),
        roleMap: { 'cn=payments-sec,ou=groups,dc=example,dc=org': 'Administrator' },
      },
    });
  });
  after(async () => {
    await s?.close();
    await slapd?.stop();
  });

  test('writes a private AWS profile that the AWS SDK uses to call the server, keeping the other profiles', async () => {
    const file = path.join(s.dir, 'aws', 'credentials');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = keep-me\n');
    const run = await yagura(['login', '--url', s.server.url, '--ldap', 'alice', '--credentials-file', file], { YAGURA_LDAP_PASSWORD: 'alice-password' });
    assert.equal(run.code, 0, run.stderr);
    const text = await readFile(file, 'utf8');
    assert.match(text, /\[yagura\]\naws_access_key_id = ASIA[A-Z2-7]{16}\n/);
    assert.match(text, /\[other\]\naws_access_key_id = AKIAOTHER/, 'other profiles stay');
    assert.equal((await stat(file)).mode & 0o077, 0, 'readable by its owner only');
    const sts = new STSClient({ endpoint: s.server.url, region: 'us-east-1', credentials: fromIni({ profile: 'yagura', filepath: file }) });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:yagura:sts:::assumed-role/Administrator/alice');
  });

  test('prints credential_process JSON, and refuses a wrong password with one line and a non-zero exit', async () => {
    const ok = await yagura(['login', '--url', s.server.url, '--ldap', 'alice', '--credential-process'], { YAGURA_LDAP_PASSWORD: 'alice-password' });
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).sort(), ['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version']);
    assert.equal(out.Version, 1);
    const bad = await yagura(['login', '--url', s.server.url, '--ldap', 'alice', '--credential-process'], { YAGURA_LDAP_PASSWORD: 'wrong' });
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^yagura: sign-in refused \(403 AccessDenied\): the user name or password is not valid\n$/);
    assert.ok(!bad.stderr.includes('wrong'), 'the password is never echoed');
    const neither = await yagura(['login', '--url', s.server.url]);
    assert.notEqual(neither.code, 0);
    assert.match(neither.stderr, /exactly one of --ldap USER or --oidc/);
  });
});

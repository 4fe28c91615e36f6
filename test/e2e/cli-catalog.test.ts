// `yagura catalog groups|accounts|policy …` as built (dist/), against a real server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../../src/main.js';
import { cliServer, yagura, type CliServer } from '../support/cli.js';

const KEY = 'cli-catalog-bootstrap-key-0123456789';


describe('yagura catalog', () => {
  let server: Server;
  let env: Record<string, string>;
  let running: CliServer;
  before(async () => {
    running = await cliServer('cli-catalog', KEY, { accounts: { '999988887777': { name: 'configured', tags: ['env=prod', 'pci'] } } });
    ({ server, env } = running);
  });
  after(async () => running.close());

  test('puts a group and an account, lists them, and manages the resource policy', async () => {
    assert.equal((await yagura(['catalog', 'groups', 'put', 'payments', '--tags', 'bu=payments'], env)).code, 0);
    const put = await yagura(['catalog', 'accounts', 'put', '111122223333', '--group', 'payments', '--name', 'pay-prod', '--tags', 'env=prod,pci'], env);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(JSON.parse(put.stdout).tags, { env: 'prod', pci: '' });
    const groups = await yagura(['catalog', 'groups', 'list'], env);
    assert.match(groups.stdout, /payments/);
    assert.match(groups.stdout, /unassigned/);
    const accounts = await yagura(['catalog', 'accounts', 'list', 'payments', '--format', 'json'], env);
    assert.deepEqual(JSON.parse(accounts.stdout).map((a: { arn: string }) => a.arn), ['arn:yagura:catalog:::account/payments/111122223333']);
    const configured = await yagura(['catalog', 'accounts', 'list', 'unassigned', '--format', 'json'], env);
    assert.deepEqual(JSON.parse(configured.stdout).map((a: { name: string; tags: unknown }) => [a.name, a.tags]), [['configured', { env: 'prod', pci: '' }]], 'the configuration seeded the catalog');

    const star = await yagura(['catalog', 'policy', 'put', '--json', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"yagura:GetCatalog","Resource":"arn:yagura:catalog:::catalog"}]}'], env);
    assert.notEqual(star.code, 0);
    assert.match(star.stderr, /Principal/);
    assert.equal(star.stderr.trim().split('\n').length, 1);
    const policy = await yagura(['catalog', 'policy', 'put', '--json', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:yagura:iam:::user/alice"},"Action":"yagura:GetCatalog","Resource":"arn:yagura:catalog:::catalog"}]}'], env);
    assert.equal(policy.code, 0, policy.stderr);
    assert.match((await yagura(['catalog', 'policy', 'get'], env)).stdout, /user\/alice/);
    assert.equal((await yagura(['catalog', 'policy', 'delete'], env)).code, 0);

    const unknown = await yagura(['catalog', 'accounts', 'put', '111122223333', '--group', 'nowhere'], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /nowhere/);
    const notEmpty = await yagura(['catalog', 'groups', 'delete', 'payments'], env);
    assert.notEqual(notEmpty.code, 0);
  });
});

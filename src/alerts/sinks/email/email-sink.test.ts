// Email alerts to a real SMTP server on loopback, through a stand-in DNS server whose answers the test controls.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { smtpReceiver, type SmtpReceiver } from '../../../../test/support/receivers.js';
import type { AlertMessage } from '../../message.js';
import type { Resolver } from '../network-policy.js';
import { failingDns, standInDns as dns } from '../../../../test/support/stand-in-dns.js';
import { EmailSink } from './email-sink.js';

const message: AlertMessage = { kind: 'test', rule: { id: 'r1', name: 'Test' }, findings: [] };
const context = { idempotencyKey: 'k1', timeoutMs: 1000 };

describe('email alerts', () => {
  let smtp: SmtpReceiver;
  const relay = (host: string, allowPrivateNetworks: boolean, resolve?: Resolver): EmailSink =>
    new EmailSink({ host, port: smtp.port, security: 'none', from: 'yagura@example.com', to: ['soc@example.com'], timeoutMs: 1000 }, { allowPrivateNetworks }, resolve);

  before(async () => {
    smtp = await smtpReceiver();
  });

  after(async () => {
    await smtp.close();
  });

  test('connect to the address that was checked: a second answer of loopback (DNS rebinding) is never used', async () => {
    const rebinding = dns({ address: '198.51.100.7', family: 4 }, { address: '127.0.0.1', family: 4 });
    const result = await relay('mail.test', false, rebinding).send(message, context);
    assert.equal(result.ok, false, 'the checked public address does not answer here');
    assert.equal(rebinding.asked, 1, 'the name is resolved once, by the check');
    assert.doesNotMatch(!result.ok ? result.error : '', /ENOTFOUND|EDNS|mail\.test/, 'nodemailer did not resolve the name itself');
    assert.equal(smtp.messages.length, 0);
  });

  test('a relay name that resolves to loopback is refused for good unless private networks are allowed; one that does not resolve is retried', async () => {
    const refused = await relay('mail.test', false, dns({ address: '127.0.0.1', family: 4 })).send(message, context);
    assert.deepEqual(refused, { ok: false, error: 'mail.test resolves to 127.0.0.1, a loopback or private address; set alerts.allowPrivateNetworks to send there', permanent: true });
    assert.deepEqual(await relay('mail.test', false, failingDns).send(message, context), { ok: false, error: 'cannot resolve mail.test: ENOTFOUND', permanent: false }, 'retried later');
    assert.deepEqual(await relay('127.0.0.1', true).send(message, context), { ok: true });
    assert.equal((await smtp.waitFor(1)).length, 1);
  });
});

// Per-channel escaping of attacker-controlled finding text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeHtml, oneLine } from './email/html.js';
import { isPrivateAddress } from './network-policy.js';
import { escapeSlack } from './slack/escape.js';
import { escapeTeams } from './teams/escape.js';

describe('channel escaping', () => {
  test('Slack: no <…> sequence survives, so no mention, broadcast or hidden link', () => {
    const out = escapeSlack('<!channel> <@U123> <https://evil|x> & co');
    assert.equal(out, '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|x&gt; &amp; co');
  });

  test('Teams: Markdown and tags are backslash-escaped and lines joined', () => {
    assert.equal(escapeTeams('*a* [x](y) <at>b</at>\nc'), '\\*a\\* \\[x\\]\\(y\\) \\<at\\>b\\</at\\> c');
  });

  test('email: HTML is inert text and headers stay on one line', () => {
    assert.equal(escapeHtml(`<img src=x onerror="a('b')">`), '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;');
    assert.equal(oneLine('a\r\nBcc: x@example.com'), 'a Bcc: x@example.com');
  });

  test('network policy: loopback, private, link-local and mapped addresses are private; public ones are not', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.20.1.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) assert.ok(isPrivateAddress(a), a);
    for (const a of ['8.8.8.8', '52.94.236.248', '2600:1f18::1']) assert.ok(!isPrivateAddress(a), a);
  });
});

describe('Slack limits', () => {
  test('clips after escaping, never beyond the limit and never inside an entity', () => {
    const out = escapeSlack('<'.repeat(500), 150);
    assert.ok(out.length <= 150);
    assert.match(out, /^(&lt;)+…$/);
  });
});

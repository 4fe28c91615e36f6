// The alert email: an HTML part with escaped finding text and a plain-text part with the same content.
import { BAND_COLOURS, headline, type AlertFinding, type AlertMessage } from '../../message.js';
import { escapeHtml, oneLine } from './html.js';

const DIGEST_ROWS = 100;

function rows(f: AlertFinding): Array<[string, string]> {
  return [
    ['Severity', `${f.band} (${f.severity})`],
    ['Type', f.type],
    ['Account', f.accountName ? `${f.accountId} (${f.accountName})` : f.accountId],
    ['Region', f.region],
    ['Resource', f.resource],
    ['Actor', f.actor],
    ['Count', String(f.count)],
    ['Updated', f.updatedAt],
  ];
}

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function renderEmail(message: AlertMessage): RenderedEmail {
  const title = headline(message);
  const top = message.findings[0];
  const colour = top ? BAND_COLOURS[top.band] : '#888888';
  const text: string[] = [title, ''];
  const html: string[] = [`<div style="border-left:6px solid ${colour};padding:8px 12px;font-family:sans-serif">`, `<h2 style="margin:0 0 8px">${escapeHtml(title)}</h2>`];
  if (message.kind === 'digest') {
    const shown = message.findings.slice(0, DIGEST_ROWS);
    html.push('<table cellpadding="4"><tr><th align="left">Band</th><th align="left">Type</th><th align="left">Account</th><th align="left">Region</th><th align="left">Resource</th></tr>');
    for (const f of shown) {
      const cells = [f.band, f.type, f.accountName ?? f.accountId, f.region, f.resource];
      html.push(`<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`);
      text.push(`- ${cells.join(' | ')}${f.link ? ` ${f.link}` : ''}`);
    }
    html.push('</table>');
    const more = (message.total ?? message.findings.length) - shown.length;
    if (more > 0) {
      html.push(`<p>… and ${more} more</p>`);
      text.push(`… and ${more} more`);
    }
  } else if (top) {
    html.push('<table cellpadding="4">');
    for (const [k, v] of rows(top)) {
      html.push(`<tr><th align="left">${k}</th><td>${escapeHtml(v)}</td></tr>`);
      text.push(`${k}: ${v}`);
    }
    html.push('</table>');
    if (top.link) {
      html.push(`<p><a href="${escapeHtml(top.link)}">View finding</a></p>`);
      text.push('', `View finding: ${top.link}`);
    }
  }
  html.push(`<p style="color:#666">Rule: ${escapeHtml(message.rule.name)}</p></div>`);
  text.push('', `Rule: ${message.rule.name}`);
  return { subject: oneLine(`[Yagura] ${title}`), text: `${text.join('\n')}\n`, html: html.join('\n') };
}

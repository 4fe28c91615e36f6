// One finding: summary, version history as a timeline of changed paths, raw JSON with copy, archive toggle.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, findingPath, type FindingDetail, type Presented } from '../api.js';
import type { Shared } from '../app.js';
import { remoteParty, resource } from '../actor.js';
import { brief, diffJson } from '../diff.js';
import { consoleUrl, rangeHolding, resourceQuery, searchHref } from '../finding-links.js';
import { at, text, when } from '../format.js';
import { clause } from '../kql.js';
import { navigate } from '../router.js';

export function FindingView({ path }: { path: string } & Shared) {
  const [detail, setDetail] = useState<FindingDetail>();
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);
  const key = path.slice('/findings/'.length);

  useEffect(() => {
    setDetail(undefined);
    api<FindingDetail>(`/api/v1/findings/${key}`).then(setDetail, (e: unknown) => setError(e instanceof ApiFailure ? e.message : 'the server cannot be reached'));
  }, [key]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!detail) return <p role="status">Loading…</p>;
  const f = detail.finding;
  const y = detail.yagura;
  const remote = remoteParty(f);
  const res = resource(f);
  const toggleArchive = async (): Promise<void> => {
    const updated = await api<Presented>(`/api/v1/findings/${findingPath(y)}/${y.archived ? 'unarchive' : 'archive'}`, { method: 'POST' });
    setDetail({ ...detail, yagura: updated.yagura });
  };
  const raw = JSON.stringify(f, null, 2);
  // A value with a query links to the search it implies, over a range that still holds this finding.
  const from = rangeHolding(f.updatedAt, Date.now());
  const rows: Array<[label: string, value: string, query?: string]> = [
    ['Type', text(f.type), clause('type', text(f.type))],
    ['Severity', `${y.band} (${text(f.severity)})`],
    ['Title', text(f.title)],
    ['Account', y.accountId, clause('accountId', y.accountId)],
    ['Region', y.region, clause('region', y.region)],
    ['Resource', `${res.type}${res.id ? ` ${res.id}` : ''}`, res.type ? resourceQuery(res.type, res.id) : undefined],
    ['Action', text(at(f, 'service.action.actionType'))],
    ['Remote IP', remote?.ip ?? '', remote?.ip ? clause('remoteIp', remote.ip) : undefined],
    ['Location', remote ? [remote.city, remote.country].filter(Boolean).join(', ') : ''],
    ['Organisation', remote ? `${remote.org}${remote.asn ? ` (AS${remote.asn})` : ''}` : '', remote?.org ? clause('remoteOrg', remote.org) : undefined],
    ['First seen', when(at(f, 'service.eventFirstSeen'))],
    ['Last seen', when(at(f, 'service.eventLastSeen'))],
    ['Count', text(at(f, 'service.count'))],
    ['In Yagura since', when(y.firstSeen)],
    ['Versions', String(y.versions)],
    ['State', y.archived ? 'Archived' : 'Open'],
  ];
  const valueLink = (value: string, query: string) => {
    const href = searchHref(query, from);
    return <a href={href} title={`Search ${query}`} onClick={(e) => { e.preventDefault(); navigate(href); }}>{value}</a>;
  };
  return (
    <article class="finding" aria-labelledby="finding-title">
      <div class="toolbar">
        <h1 id="finding-title" data-testid="finding-title">{text(f.title) || text(f.type)}</h1>
        <a href={consoleUrl(y.region, y.id)} target="_blank" rel="noopener noreferrer" data-testid="console-link">Open in the GuardDuty console</a>
        <button type="button" onClick={toggleArchive} data-testid="archive-toggle">{y.archived ? 'Unarchive' : 'Archive'}</button>
      </div>
      <p class="muted">{text(f.description)}</p>
      <div class="finding-grid">
        <section class="panel" aria-labelledby="summary-title">
          <h2 id="summary-title">Summary</h2>
          <dl class="summary">
            {rows.filter(([, v]) => v !== '').map(([k, v, query]) => <><dt>{k}</dt><dd data-field={k}>{query ? valueLink(v, query) : v}</dd></>)}
          </dl>
        </section>
        <section class="panel" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <ol class="timeline" data-testid="history">
            {detail.history.map((v, i) => {
              const changes = i === 0 ? [] : diffJson(detail.history[i - 1]!.finding, v.finding);
              return (
                <li data-testid="version">
                  <div><strong>Version {i + 1}</strong> <span class="muted">updated {when(v.updatedAt)} · received {when(v.receivedAt)} · count {v.count}</span></div>
                  {i === 0 ? <p class="muted">First version stored.</p> : (
                    <ul class="changes">
                      {changes.map((c) => <li data-testid="change"><code>{c.path}</code>: {brief(c.before)} → {brief(c.after)}</li>)}
                    </ul>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      </div>
      <section class="panel" aria-labelledby="raw-title">
        <div class="toolbar">
          <h2 id="raw-title">Raw JSON</h2>
          <button type="button" onClick={() => void navigator.clipboard.writeText(raw).then(() => setCopied(true), () => setCopied(false))}>{copied ? 'Copied' : 'Copy'}</button>
        </div>
        <pre class="raw" data-testid="raw-json" tabIndex={0}>{raw}</pre>
      </section>
    </article>
  );
}

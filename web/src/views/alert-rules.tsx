// The rules tab: the list with enable/disable, edit, delete (confirmed in place) and a dry run over a time range.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { problemOf, triggerText, type AlertRule, type DryRun, type RuleSpec } from '../alerts-api.js';
import { when } from '../format.js';
import { navigate } from '../router.js';
import { PRESETS } from '../time-range.js';
import type { Catalog } from './alerts.js';
import { RuleForm } from './rule-form.js';

/** What a PUT takes back: the rule without its server-made fields. */
function specOf(rule: AlertRule): RuleSpec {
  const { id: _id, owner: _o, status: _s, createdAt: _c, updatedAt: _u, ...spec } = rule;
  return spec;
}

export function AlertRules({ catalog }: { catalog: Catalog }) {
  const [editing, setEditing] = useState<AlertRule | 'new'>();
  const [confirming, setConfirming] = useState<string>();
  const [dryRunOf, setDryRunOf] = useState<AlertRule>();
  const [error, setError] = useState('');
  const destName = (id: string): string => catalog.destinations.find((d) => d.id === id)?.name ?? id;

  const act = async (call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
      setError('');
    } catch (e) {
      setError(problemOf(e).message);
    }
    await catalog.reload();
  };
  const toggle = (r: AlertRule): Promise<void> =>
    act(() => api(`/api/v1/alert-rules/${encodeURIComponent(r.id)}`, { method: 'PUT', body: { ...specOf(r), enabled: !r.enabled } }));
  const remove = (r: AlertRule): Promise<void> =>
    act(() => api(`/api/v1/alert-rules/${encodeURIComponent(r.id)}`, { method: 'DELETE' })).then(() => setConfirming(undefined));

  return (
    <div class="alert-tab">
      <div class="toolbar">
        <button type="button" onClick={() => setEditing('new')} disabled={editing !== undefined}>New rule</button>
      </div>
      {editing !== undefined && (
        <RuleForm key={editing === 'new' ? 'new' : editing.id} {...(editing !== 'new' && { rule: editing })} destinations={catalog.destinations}
          onSaved={() => { setEditing(undefined); void catalog.reload(); }} onCancel={() => setEditing(undefined)} />
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="panel table-wrap">
        <table data-testid="rules-table">
          <caption class="sr-only">Alert rules</caption>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Filter</th><th scope="col">Min band</th><th scope="col">Trigger</th><th scope="col">Group by</th><th scope="col">Destinations</th><th scope="col">Enabled</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {catalog.rules.length === 0 && <tr><td colSpan={8} class="muted">No rules yet.</td></tr>}
            {catalog.rules.map((r) => (
              <tr data-testid="rule-row" data-id={r.id}>
                <td>
                  {r.name}
                  {r.status.state === 'suspended' && (
                    <span class="rule-suspended" title={r.status.reason} data-testid="rule-suspended">
                      {' '}
                      (suspended: {r.status.reason})
                    </span>
                  )}
                </td>
                <td class="mono">{r.query || <span class="muted">(every finding)</span>}</td>
                <td>{r.minBand}</td>
                <td>{triggerText(r.trigger)}</td>
                <td>{r.groupBy}</td>
                <td>{r.routes.map((route) => destName(route.destination)).join(', ')}</td>
                <td>
                  <label class="check">
                    <input type="checkbox" checked={r.enabled} onChange={() => void toggle(r)} aria-label={`Enabled: ${r.name}`} />
                    {r.enabled ? 'on' : 'off'}
                  </label>
                </td>
                <td class="row-actions">
                  <button type="button" onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>Edit</button>
                  <button type="button" onClick={() => setDryRunOf(r)} aria-label={`Dry run ${r.name}`}>Dry run</button>
                  {confirming === r.id ? (
                    <span role="group" aria-label={`Confirm deleting ${r.name}`}>
                      <button type="button" class="danger" onClick={() => void remove(r)}>Confirm delete</button>
                      <button type="button" onClick={() => setConfirming(undefined)}>Keep</button>
                    </span>
                  ) : (
                    <button type="button" onClick={() => setConfirming(r.id)} aria-label={`Delete ${r.name}`}>Delete</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {dryRunOf && <DryRunPanel key={dryRunOf.id} rule={dryRunOf} onClose={() => setDryRunOf(undefined)} />}
    </div>
  );
}

/** Replays a stored rule over stored findings: what it would have sent, each finding a link. */
function DryRunPanel({ rule, onClose }: { rule: AlertRule; onClose: () => void }) {
  const [from, setFrom] = useState('now-24h');
  const [result, setResult] = useState<DryRun>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      setResult(await api<DryRun>(`/api/v1/alert-rules/${encodeURIComponent(rule.id)}/dry-run?${new URLSearchParams({ from, to: 'now' })}`, { method: 'POST' }));
      setError('');
    } catch (err) {
      setResult(undefined);
      setError(problemOf(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel dry-run" aria-labelledby="dry-run-title" data-testid="dry-run" data-state={busy ? 'running' : result ? 'done' : 'idle'}>
      <h2 id="dry-run-title">Dry run: {rule.name}</h2>
      <form class="toolbar" onSubmit={run}>
        <label>Over
          <select name="range" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
            {PRESETS.map((p) => <option value={p.from}>{p.label}</option>)}
          </select>
        </label>
        <button type="submit" disabled={busy}>Run</button>
        <button type="button" onClick={onClose}>Close</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {result && (
        <>
          <p role="status" data-testid="dry-run-summary">
            {result.matched} finding(s) matched; {result.alerts.length} alert(s) would have been sent{result.truncated ? ' (range truncated)' : ''}.
          </p>
          <table>
            <thead><tr><th scope="col">At</th><th scope="col">Kind</th><th scope="col">Finding</th><th scope="col">Band</th><th scope="col">Account</th></tr></thead>
            <tbody>
              {result.alerts.map((a) => {
                const href = `/findings/${[a.finding.accountId, a.finding.region, a.finding.id].map(encodeURIComponent).join('/')}`;
                return (
                  <tr data-testid="dry-run-alert">
                    <td>{when(a.at)}</td>
                    <td>{a.kind}</td>
                    <td><a href={href} onClick={(e) => { e.preventDefault(); navigate(href); }}>{a.finding.title || a.finding.type || a.finding.id}</a></td>
                    <td>{a.finding.band}</td>
                    <td>{a.finding.accountId}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

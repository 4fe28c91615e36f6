// The alert rule form: KQL filter (its error shown at its position), band, trigger, grouping, throttle, destinations.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { problemOf, type AlertRule, type Destination, type Problem, type Route, type RuleSpec, type Trigger } from '../alerts-api.js';
import { BANDS } from '../bands.js';
import { QueryError } from '../components/query-bar.js';

const GROUP_BY = ['finding', 'type', 'resource', 'account'] as const;
const TRIGGERS = ['new', 'escalation', 'count', 'digest'] as const;

function list(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

/** Creates a rule, or replaces `rule` when editing; answers the stored rule. */
export function RuleForm({ rule, destinations, onSaved, onCancel }: { rule?: AlertRule; destinations: Destination[]; onSaved: (r: AlertRule) => void; onCancel: () => void }) {
  const [name, setName] = useState(rule?.name ?? '');
  const [query, setQuery] = useState(rule?.query ?? '');
  const [minBand, setMinBand] = useState(rule?.minBand ?? 'High');
  const [kind, setKind] = useState<Trigger['kind']>(rule?.trigger.kind ?? 'new');
  const [threshold, setThreshold] = useState(rule?.trigger.kind === 'count' ? String(rule.trigger.threshold) : '10');
  const [schedule, setSchedule] = useState(rule?.trigger.kind === 'digest' ? rule.trigger.schedule : '0 9 * * *');
  const [timezone, setTimezone] = useState(rule?.trigger.kind === 'digest' ? rule.trigger.timezone : 'UTC');
  const [groupBy, setGroupBy] = useState(rule?.groupBy ?? 'finding');
  const [throttle, setThrottle] = useState(String(rule?.throttleSeconds ?? 3600));
  const [accounts, setAccounts] = useState((rule?.accounts ?? []).join(', '));
  const [regions, setRegions] = useState((rule?.regions ?? []).join(', '));
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(rule?.routes.map((r) => r.destination) ?? []));
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [problem, setProblem] = useState<Problem>();
  /** The filter as sent, so the error's caret points into the text the server parsed. */
  const [sentQuery, setSentQuery] = useState('');
  const [busy, setBusy] = useState(false);

  const trigger = (): Trigger =>
    kind === 'count' ? { kind, threshold: Number(threshold) } : kind === 'digest' ? { kind, schedule, timezone } : { kind };
  const routes = (): Route[] =>
    // An edited rule keeps each kept route's account matchers; a newly chosen destination takes every account.
    destinations.filter((d) => chosen.has(d.id)).map((d) => rule?.routes.find((r) => r.destination === d.id) ?? { destination: d.id });

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const spec: RuleSpec = {
      name,
      enabled,
      query,
      minBand,
      groupBy,
      trigger: trigger(),
      throttleSeconds: Number(throttle),
      includeSample: rule?.includeSample ?? false,
      includeArchived: rule?.includeArchived ?? false,
      routes: routes(),
      ...(list(accounts).length > 0 && { accounts: list(accounts) }),
      ...(list(regions).length > 0 && { regions: list(regions) }),
    };
    setBusy(true);
    setSentQuery(query);
    try {
      const saved = rule
        ? await api<AlertRule>(`/api/v1/alert-rules/${encodeURIComponent(rule.id)}`, { method: 'PUT', body: spec })
        : await api<AlertRule>('/api/v1/alert-rules', { method: 'POST', body: spec });
      setProblem(undefined);
      onSaved(saved);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  const queryProblem = problem?.code === 'INVALID_QUERY' ? problem : undefined;
  const id = rule ? `rule-${rule.id}` : 'rule-new';
  return (
    <form class="panel alert-form" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="rule-form">
      <h2 id={`${id}-title`}>{rule ? 'Edit rule' : 'New rule'}</h2>
      <label>Name <input name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label class="wide">
        Filter (KQL; empty matches every finding)
        <input name="query" class="mono" spellcheck={false} autocomplete="off" value={query} placeholder="not type:Recon* and accountId:111122223333"
          aria-invalid={queryProblem ? true : undefined} aria-describedby={queryProblem ? `${id}-query-error` : undefined} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      {queryProblem && <QueryError id={`${id}-query-error`} query={sentQuery} problem={queryProblem} testId="rule-query-error" />}
      <label>Minimum band
        <select name="minBand" value={minBand} onChange={(e) => setMinBand(e.currentTarget.value)}>
          {[...BANDS].reverse().map((b) => <option value={b}>{b}</option>)}
        </select>
      </label>
      <label>Trigger
        <select name="trigger" value={kind} onChange={(e) => setKind(e.currentTarget.value as Trigger['kind'])}>
          {TRIGGERS.map((t) => <option value={t}>{t}</option>)}
        </select>
      </label>
      {kind === 'count' && <label>Count threshold <input name="threshold" type="number" min={1} required value={threshold} onInput={(e) => setThreshold(e.currentTarget.value)} /></label>}
      {kind === 'digest' && (
        <>
          <label>Schedule (cron) <input name="schedule" class="mono" required value={schedule} onInput={(e) => setSchedule(e.currentTarget.value)} /></label>
          <label>Time zone <input name="timezone" required value={timezone} onInput={(e) => setTimezone(e.currentTarget.value)} /></label>
        </>
      )}
      <label>Group by
        <select name="groupBy" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
          {GROUP_BY.map((g) => <option value={g}>{g}</option>)}
        </select>
      </label>
      <label>Throttle (seconds) <input name="throttleSeconds" type="number" min={0} max={30 * 86_400} required value={throttle} onInput={(e) => setThrottle(e.currentTarget.value)} /></label>
      <label>Accounts (optional) <input name="accounts" value={accounts} placeholder="111122223333, …" onInput={(e) => setAccounts(e.currentTarget.value)} /></label>
      <label>Regions (optional) <input name="regions" value={regions} placeholder="eu-west-1, …" onInput={(e) => setRegions(e.currentTarget.value)} /></label>
      <fieldset class="wide">
        <legend>Destinations</legend>
        {destinations.length === 0 && <p class="muted">Create a destination first.</p>}
        {destinations.map((d) => (
          <label class="check">
            <input type="checkbox" checked={chosen.has(d.id)}
              onChange={(e) => { const next = new Set(chosen); if (e.currentTarget.checked) next.add(d.id); else next.delete(d.id); setChosen(next); }} />
            {d.name} <span class="muted">({d.type})</span>
          </label>
        ))}
      </fieldset>
      <label class="check"><input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Enabled</label>
      {problem && !queryProblem && <p class="error wide" role="alert" data-testid="rule-form-error">{problem.message}</p>}
      <div class="actions wide">
        <button type="submit" disabled={busy}>{rule ? 'Save rule' : 'Create rule'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

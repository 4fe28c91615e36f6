// The delivery log: every alert sent or waiting, filtered by status, rule and destination; dead letters can be retried.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { findingHref, problemOf, type Delivery } from '../alerts-api.js';
import { when } from '../format.js';
import { navigate, useLocation } from '../router.js';
import type { Catalog } from './alerts.js';

const STATUSES = [
  ['', 'All'],
  ['pending', 'Pending (retrying)'],
  ['sent', 'Sent'],
  ['dead', 'Dead letters'],
] as const;

/** The log refreshes itself this often while shown, so retries and new alerts appear without a click. */
const REFRESH_MS = 3000;

function outcome(d: Delivery): string {
  if (d.status === 'sent') return 'sent';
  if (d.status === 'dead') return 'dead letter';
  return d.attempts === 0 ? 'queued' : `retrying at ${when(d.nextAttemptAt)}`;
}

/** One answer of the log and the filters it answers, so rows are never shown under filters they do not answer. */
interface Listing {
  readonly filter: string;
  readonly deliveries: Delivery[];
}

/** The filters as the API's query string (also shown on the table as `data-filter`, for tests to wait on). */
function filterOf(status: string, rule: string, destination: string): string {
  return new URLSearchParams({ ...(status && { status }), ...(rule && { rule }), ...(destination && { destination }) }).toString();
}

export function Deliveries({ catalog }: { catalog: Catalog }) {
  const { params } = useLocation();
  const status = params.get('status') ?? '';
  const rule = params.get('rule') ?? '';
  const destination = params.get('destination') ?? '';
  const current = filterOf(status, rule, destination);
  const [listing, setListing] = useState<Listing>();
  const [error, setError] = useState('');
  // Answers received, dropped ones included: lets a test know a late answer has been dealt with.
  const [answers, setAnswers] = useState(0);
  const generation = useRef(0);
  // Read when a request starts, not captured by it: a retry clicked under the old filters reloads the new ones.
  const filterNow = useRef(current);
  filterNow.current = current;

  const load = async (): Promise<void> => {
    const gen = ++generation.current;
    const filter = filterNow.current;
    const query = new URLSearchParams(filter);
    query.set('size', '200');
    try {
      const answer = await api<{ deliveries: Delivery[] }>(`/api/v1/deliveries?${query}`);
      setAnswers((n) => n + 1);
      // An answer overtaken by a later request, or for filters no longer chosen, is dropped.
      if (gen !== generation.current || filter !== filterNow.current) return;
      setListing({ filter, deliveries: answer.deliveries });
      setError('');
    } catch (e) {
      if (gen === generation.current && filter === filterNow.current) setError(problemOf(e).message);
    }
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [current]);
  // Until the chosen filters' answer arrives the table shows "Loading…", never the previous filters' rows.
  const deliveries = listing?.filter === current ? listing.deliveries : undefined;

  const filter = (change: Record<string, string>): void => {
    const next = new URLSearchParams({ tab: 'deliveries', status, rule, destination, ...change });
    for (const [k, v] of [...next.entries()]) if (v === '') next.delete(k);
    navigate(`/alerts?${next}`);
  };
  const retry = async (d: Delivery): Promise<void> => {
    try {
      await api(`/api/v1/deliveries/${d.id}/retry`, { method: 'POST' });
      setError('');
    } catch (e) {
      setError(problemOf(e).message);
    }
    await load();
  };
  const ruleName = (d: Delivery): string => catalog.rules.find((r) => r.id === d.rule)?.name ?? d.message.rule.name ?? d.rule;
  const destName = (id: string): string => catalog.destinations.find((x) => x.id === id)?.name ?? id;

  return (
    <div class="alert-tab">
      <div class="toolbar" role="group" aria-label="Filter deliveries">
        <label>Status
          <select name="status" value={status} onChange={(e) => filter({ status: e.currentTarget.value })}>
            {STATUSES.map(([v, label]) => <option value={v}>{label}</option>)}
          </select>
        </label>
        <label>Rule
          <select name="rule" value={rule} onChange={(e) => filter({ rule: e.currentTarget.value })}>
            <option value="">All rules</option>
            {catalog.rules.map((r) => <option value={r.id}>{r.name}</option>)}
          </select>
        </label>
        <label>Destination
          <select name="destination" value={destination} onChange={(e) => filter({ destination: e.currentTarget.value })}>
            <option value="">All destinations</option>
            {catalog.destinations.map((x) => <option value={x.id}>{x.name}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => void load()}>Refresh</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="panel table-wrap">
        <table data-testid="deliveries-table" data-state={deliveries ? 'loaded' : 'loading'} data-filter={deliveries ? current : undefined} data-answers={answers}>
          <caption class="sr-only">Alert deliveries, newest first</caption>
          <thead>
            <tr><th scope="col">Time</th><th scope="col">Rule</th><th scope="col">Finding</th><th scope="col">Destination</th><th scope="col" class="num">Attempts</th><th scope="col">Outcome</th><th scope="col" class="num">Latency</th><th scope="col">Last error</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {!deliveries && <tr><td colSpan={9} class="muted" role="status">Loading…</td></tr>}
            {deliveries?.length === 0 && <tr><td colSpan={9} class="muted">No deliveries.</td></tr>}
            {(deliveries ?? []).map((d) => {
              const f = d.message.findings[0];
              const label = d.kind === 'digest' ? `Digest of ${d.message.total ?? d.message.findings.length} finding(s)` : d.kind === 'test' ? 'Test message' : f?.title || f?.type || d.finding || '';
              return (
                <tr data-testid="delivery-row" data-id={d.id} data-status={d.status} data-destination={d.destination}>
                  <td class="num">{when(d.createdAt)}</td>
                  <td>{ruleName(d)}</td>
                  <td>
                    {d.finding ? <a href={findingHref(d.finding)} onClick={(e) => { e.preventDefault(); navigate(findingHref(d.finding!)); }}>{label}</a> : label}
                    {d.kind !== 'new' && d.kind !== 'digest' && d.kind !== 'test' && <span class="muted"> ({d.kind})</span>}
                  </td>
                  <td>{destName(d.destination)}</td>
                  <td class="num">{d.attempts}</td>
                  <td class={`status-${d.status}`}>{outcome(d)}</td>
                  <td class="num">{d.latencyMs === null ? '' : `${d.latencyMs} ms`}</td>
                  <td class="last-error">{d.lastError ?? ''}</td>
                  <td>{d.status === 'dead' && <button type="button" onClick={() => void retry(d)} aria-label={`Retry delivery ${d.id}`}>Retry</button>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

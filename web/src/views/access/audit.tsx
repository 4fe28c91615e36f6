// The audit log: KQL over the audit fields, a time range, a table and cursor paging (the search page's components).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api.js';
import { QueryBar, type QueryProblem } from '../../components/query-bar.js';
import { TimePicker } from '../../components/time-picker.js';
import { navigate, useLocation } from '../../router.js';
import type { Range } from '../../time-range.js';

interface AuditEntry {
  readonly time: string;
  readonly principal: string;
  readonly keyPrefix?: string | null;
  readonly sourceIp?: string | null;
  readonly method?: string;
  readonly route?: string;
  readonly action?: string | null;
  readonly resource?: string | null;
  readonly decision: string;
  readonly status?: number;
  readonly errorCode?: string | null;
  readonly resultSize?: number | null;
}

const PAGE_SIZE = 50;
const COLUMNS: ReadonlyArray<readonly [label: string, value: (e: AuditEntry) => string]> = [
  ['Time', (e) => new Date(e.time).toLocaleString()],
  ['Principal', (e) => e.principal],
  ['Key', (e) => e.keyPrefix ?? ''],
  ['Source IP', (e) => e.sourceIp ?? ''],
  ['Request', (e) => `${e.method ?? ''} ${e.route ?? ''}`.trim()],
  ['Action', (e) => e.action ?? ''],
  ['Resource', (e) => e.resource ?? ''],
  ['Decision', (e) => e.decision],
  ['Status', (e) => (e.status === undefined ? '' : `${e.status}${e.errorCode ? ` ${e.errorCode}` : ''}`)],
  ['Bytes', (e) => (e.resultSize === null || e.resultSize === undefined ? '' : String(e.resultSize))],
];

export function AuditPage() {
  const { params } = useLocation();
  const q = params.get('q') ?? '';
  const range: Range = { from: params.get('from') ?? 'now-24h', ...(params.get('to') && { to: params.get('to')! }) };
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<QueryProblem>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const go = (change: { q?: string; from?: string; to?: string }): void => {
    const state = { q, from: range.from, to: range.to ?? '', ...change };
    const search = new URLSearchParams(Object.entries(state).filter(([, v]) => v !== ''));
    navigate(`/access/audit${search.size ? `?${search}` : ''}`);
  };
  const run = async (cursor: string | undefined): Promise<void> => {
    const gen = ++generation.current;
    setLoading(true);
    const search = new URLSearchParams({ q, from: range.from, size: String(PAGE_SIZE), ...(range.to && { to: range.to }), ...(cursor && { cursor }) });
    try {
      const page = await api<{ entries: AuditEntry[]; nextCursor: string | null }>(`/api/v1/audit?${search}`);
      if (gen !== generation.current) return;
      setEntries(page.entries);
      setNext(page.nextCursor);
      setProblem(undefined);
    } catch (e) {
      if (gen !== generation.current) return;
      setEntries([]);
      setNext(null);
      setProblem(e instanceof ApiFailure ? { message: e.message, ...(e.position !== undefined && { position: e.position }) } : { message: 'the server cannot be reached' });
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  };
  useEffect(() => {
    setCursors([undefined]);
    void run(undefined);
  }, [q, range.from, range.to]);
  return (
    <section class="access-page audit" aria-labelledby="access-title" data-testid="access-audit">
      <h1 id="access-title" class="sr-only">Audit log</h1>
      <div class="toolbar">
        <QueryBar query={q} problem={problem} onSubmit={(text) => go({ q: text })} placeholder='KQL over the audit fields, e.g. decision:denied and principal:*alice' />
        <TimePicker range={range} onChange={(r) => go({ from: r.from, to: r.to ?? '' })} />
      </div>
      <div class="results" data-state={loading ? 'loading' : problem ? 'error' : 'ready'} data-testid="audit-results">
        <div class="results-head">
          <h2>Audit log</h2>
          <span class="pager">
            <button type="button" disabled={cursors.length === 1} onClick={() => { const prev = cursors.slice(0, -1); setCursors(prev); void run(prev.at(-1)); }}>Previous</button>
            <span aria-live="polite">Page {cursors.length}</span>
            <button type="button" disabled={!next} onClick={() => { const after = [...cursors, next!]; setCursors(after); void run(next!); }}>Next</button>
          </span>
        </div>
        <div class="table-wrap">
          <table class="results-table audit-table">
            <thead><tr>{COLUMNS.map(([label]) => <th scope="col">{label}</th>)}</tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr data-testid="audit-row" class={e.decision === 'allowed' ? undefined : 'denied'}>
                  {COLUMNS.map(([label, value]) => { const v = value(e); return <td class="cell" title={v} data-col={label}>{v}</td>; })}
                </tr>
              ))}
            </tbody>
          </table>
          {!loading && !problem && entries.length === 0 && <p class="muted">No entries in this range.</p>}
        </div>
      </div>
    </section>
  );
}

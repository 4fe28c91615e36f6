// Search (Discover): KQL bar, time picker, results with column chooser, sorting and paging, field sidebar, live rows.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, findingPath, type AggregateAnswer, type Presented, type SearchAnswer } from '../api.js';
import type { Shared } from '../app.js';
import { QueryBar, type QueryProblem } from '../components/query-bar.js';
import { TimePicker } from '../components/time-picker.js';
import { addClause, clause } from '../kql.js';
import { useLive } from '../live.js';
import { navigate, searchUrl, useLocation } from '../router.js';
import { DEFAULT_FROM, type Range } from '../time-range.js';
import { COLUMNS, DEFAULT_COLUMNS } from './columns.js';
import { useSession } from '../session.js';
import { Denied, LiveBadge, streamAllowed } from './overview.js';

const PAGE_SIZE = 50;
const SIDEBAR_FIELDS = ['band', 'type', 'accountId', 'region', 'resourceType', 'actionType', 'remoteIp', 'remoteCountry', 'remoteOrg', 'archived'];

interface Page {
  readonly answer: SearchAnswer;
  readonly ms: number;
  /** The query this page answers (for tests and the benchmark to know the rows are current). */
  readonly q: string;
}

/** Fixed columns at their width, the others at least 8em each: narrower than that, the table scrolls in its card. */
function minTableWidth(columns: ReadonlyArray<{ width?: string }>): string {
  return `${columns.reduce((sum, c) => sum + (c.width ? Number.parseFloat(c.width) : 8), 0)}em`;
}

export function Search({ paused }: Shared) {
  const { params } = useLocation();
  const q = params.get('q') ?? '';
  const range: Range = { from: params.get('from') ?? DEFAULT_FROM, ...(params.get('to') && { to: params.get('to')! }) };
  const sort = params.get('sort') ?? 'updatedAt:desc';
  const cols = (params.get('cols') ?? DEFAULT_COLUMNS.join(',')).split(',').filter((c) => COLUMNS.some((x) => x.key === c));
  const [page, setPage] = useState<Page>();
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [problem, setProblem] = useState<QueryProblem>();
  /** The server's refusal (403): said in the results panel, not as a query error. */
  const [denied, setDenied] = useState('');
  const session = useSession();
  const [fields, setFields] = useState<AggregateAnswer>();
  const [highlight, setHighlight] = useState<ReadonlySet<string>>(new Set());
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  const state = { q, from: range.from, ...(range.to && { to: range.to }), sort: sort === 'updatedAt:desc' ? '' : sort, cols: params.get('cols') ?? '' };
  const go = (change: Partial<typeof state>): void => navigate(searchUrl({ ...state, ...change }));

  /**
   * The requests of one query (rows, pages, sidebar) share a controller, aborted when the query changes: a browser
   * keeps six connections per server, and sidebar counts still waiting on a busy server would otherwise hold
   * them while the new query's rows queue behind.
   */
  const inFlight = useRef<AbortController>(new AbortController());

  const run = async (cursor: string | undefined): Promise<void> => {
    const gen = ++generation.current;
    const controller = inFlight.current;
    setLoading(true);
    const started = performance.now();
    const search = new URLSearchParams({ q, from: range.from, sort, size: String(PAGE_SIZE), ...(range.to && { to: range.to }), ...(cursor && { cursor }) });
    try {
      const answer = await api<SearchAnswer>(`/api/v1/findings?${search}`, { signal: controller.signal });
      if (gen !== generation.current) return;
      setPage({ answer, ms: Math.round(performance.now() - started), q });
      setProblem(undefined);
      setDenied('');
    } catch (e) {
      if (gen !== generation.current) return;
      setPage(undefined);
      setDenied(e instanceof ApiFailure && e.status === 403 ? e.message : '');
      if (e instanceof ApiFailure && e.status === 403) setProblem(undefined);
      else setProblem(e instanceof ApiFailure ? { message: e.message, ...(e.position !== undefined && { position: e.position }) } : { message: 'the server cannot be reached' });
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  };

  const loadFields = async (): Promise<void> => {
    const aggs = Object.fromEntries(SIDEBAR_FIELDS.map((f) => [f, { terms: { field: f, size: 5 } }]));
    const signal = inFlight.current.signal;
    try {
      setFields(await api<AggregateAnswer>('/api/v1/aggregate', { method: 'POST', body: { q, from: range.from, ...(range.to && { to: range.to }), aggs }, signal }));
    } catch {
      if (!signal.aborted) setFields(undefined);
    }
  };

  useEffect(() => {
    inFlight.current.abort();
    inFlight.current = new AbortController();
    setCursors([undefined]);
    setHighlight(new Set());
    // The sidebar's counts wait for the rows: the server answers one request at a time, rows matter first.
    void run(undefined).then(loadFields);
  }, [q, range.from, range.to, sort]);

  const status = useLive(problem ? '' : q, paused || problem !== undefined || denied !== '', (e) => {
    // New rows join the first page of the default (newest first) order; otherwise the total tells.
    const key = findingPath(e.yagura);
    setHighlight((h) => new Set([...h, key]));
    setPage((p) => {
      if (!p) return p;
      const rest = p.answer.findings.filter((f) => findingPath(f.yagura) !== key);
      const onTop = cursors.length === 1 && sort === 'updatedAt:desc';
      const findings = onTop ? [e as Presented, ...rest].slice(0, PAGE_SIZE) : p.answer.findings.map((f) => (findingPath(f.yagura) === key ? e : f));
      const total = p.answer.total + (e.outcome === 'created' ? 1 : 0);
      return { ...p, answer: { ...p.answer, findings, total } };
    });
  }, () => void run(cursors.at(-1)), streamAllowed(session));

  const pageNo = cursors.length;
  const sortField = sort.split(':')[0];
  const sortOrder = sort.split(':')[1] ?? 'desc';
  const shown = COLUMNS.filter((c) => cols.includes(c.key));
  const answer = page?.answer;
  return (
    <section class="search" aria-labelledby="search-title">
      <h1 id="search-title" class="sr-only">Search</h1>
      <div class="toolbar">
        <QueryBar query={q} problem={problem} onSubmit={(text) => go({ q: text })} autoFocus={params.get('focus') === '1'} />
        <TimePicker range={range} onChange={(r) => go({ from: r.from, to: r.to ?? '' })} />
        <LiveBadge status={status} />
      </div>
      <div class="discover">
        <aside class="fields" aria-label="Fields and their top values">
          {SIDEBAR_FIELDS.map((field) => (
            <details open={['band', 'type'].includes(field)}>
              <summary>{field}</summary>
              <ul>
                {(fields?.aggregations[field]?.buckets ?? []).map((b) => (
                  <li>
                    <button type="button" class="link" onClick={() => go({ q: addClause(q, clause(field, field === 'archived' ? String(b.key) === 'true' : String(b.key))) })}>
                      {String(b.key)}
                    </button>
                    <span class="num muted">{b.doc_count}</span>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </aside>
        <div class="results" data-state={loading ? 'loading' : problem || denied ? 'error' : 'ready'} data-query={page?.q} data-testid="results">
          <div class="results-head">
            <span role="status" data-testid="total">
              {answer ? `${answer.total.toLocaleString('en-US')}${answer.totalRelation === 'gte' ? '+' : ''} findings` : loading ? 'Searching…' : 'No results'}
              {page && <span class="muted"> · {page.ms} ms</span>}
            </span>
            <details class="column-chooser">
              <summary>Columns</summary>
              <fieldset>
                <legend class="sr-only">Visible columns</legend>
                {COLUMNS.map((c) => (
                  <label>
                    <input type="checkbox" checked={cols.includes(c.key)}
                      onChange={(e) => go({ cols: (e.currentTarget.checked ? [...cols, c.key] : cols.filter((k) => k !== c.key)).join(',') })} />
                    {c.label}
                  </label>
                ))}
              </fieldset>
            </details>
            <span class="pager">
              <button type="button" disabled={pageNo === 1} onClick={() => { const prev = cursors.slice(0, -1); setCursors(prev); void run(prev.at(-1)); }}>Previous</button>
              <span aria-live="polite">Page {pageNo}</span>
              <button type="button" disabled={!answer?.nextCursor} onClick={() => { const next = [...cursors, answer!.nextCursor!]; setCursors(next); void run(answer!.nextCursor!); }}>Next</button>
            </span>
          </div>
          {denied && <Denied message={denied} />}
          <div class="table-wrap">
            <table class="results-table fixed" style={{ minWidth: minTableWidth(shown) }}>
              <colgroup>{shown.map((c) => <col {...(c.width && { style: { width: c.width } })} />)}</colgroup>
              <thead>
                <tr>
                  {shown.map((c) => (
                    <th scope="col" aria-sort={c.sort === sortField ? (sortOrder === 'asc' ? 'ascending' : 'descending') : undefined}>
                      {c.sort ? (
                        <button type="button" class="link" title={`Sort by ${c.label}`} onClick={() => go({ sort: `${c.sort}:${c.sort === sortField && sortOrder === 'desc' ? 'asc' : 'desc'}` })}>
                          {c.label}{c.sort === sortField ? (sortOrder === 'asc' ? ' ▲' : ' ▼') : ''}
                        </button>
                      ) : c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {(answer?.findings ?? []).map((f) => {
                  const key = findingPath(f.yagura);
                  return (
                    <tr class={highlight.has(key) ? 'highlight' : undefined} data-testid="result-row" data-key={key}>
                      {shown.map((c, i) => {
                        const text = c.value(f);
                        return (
                          <td class="cell" title={text}>
                            {i === 0 ? <a href={`/findings/${key}`} onClick={(e) => { e.preventDefault(); navigate(`/findings/${key}`); }}>{text || '(open)'}</a> : text}
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </section>
  );
}

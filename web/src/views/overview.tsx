// Overview: counts per band against the previous period, findings over time, and top values per field;
// every panel turns into a filter on the search view.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, findingPath, type AggregateAnswer, type Bucket, type Presented, type SearchAnswer } from '../api.js';
import type { Shared } from '../app.js';
import { BAND_COLORS, BANDS } from '../bands.js';
import { Chart, topBarsOption, type ChartClick } from '../components/chart.js';
import { TimePicker } from '../components/time-picker.js';
import { duration, when } from '../format.js';
import { clause } from '../kql.js';
import { useLive, type LiveEvent } from '../live.js';
import { navigate, searchUrl, useLocation } from '../router.js';
import { can, useSession, type Session } from '../session.js';
import { DEFAULT_FROM, intervalFor, intervalMs, resolve, type Range } from '../time-range.js';

/** The overview's requests, each drawn as soon as it answers (the remote-IP terms are the slowest). */
interface Parts {
  readonly counts?: AggregateAnswer;
  readonly previous?: AggregateAnswer;
  readonly open?: Presented[];
  readonly fields?: AggregateAnswer;
  readonly remote?: AggregateAnswer;
}

const PART_COUNT = 5;

const TOP = 10;
const PANELS: ReadonlyArray<readonly [agg: string, field: string, title: string, color: string]> = [
  ['types', 'type', 'Top finding types', '#7048e8'],
  ['accounts', 'accountId', 'Top accounts', '#1c7ed6'],
  ['regions', 'region', 'Regions', '#0ca678'],
  ['resourceTypes', 'resourceType', 'Resource types', '#f08c00'],
  ['actionTypes', 'actionType', 'Action types', '#d6336c'],
];

function terms(field: string, size = TOP): unknown {
  return { terms: { field, size } };
}

function countAggs(interval: string): Record<string, unknown> {
  return {
    bands: terms('band', 4),
    timeline: { terms: { field: 'band', size: 4 }, aggs: { t: { date_histogram: { field: 'updatedAt', interval } } } },
    archived: terms('archived', 2),
  };
}

function fieldAggs(): Record<string, unknown> {
  return {
    ...Object.fromEntries(PANELS.map(([agg, field]) => [agg, terms(field)])),
    resources: { terms: { field: 'resourceId', size: TOP }, aggs: { type: terms('resourceType', 1) } },
  };
}

function bandCounts(answer: AggregateAnswer): Record<string, number> {
  return Object.fromEntries((answer.aggregations['bands']?.buckets ?? []).map((b) => [String(b.key), b.doc_count]));
}

function subKey(bucket: Bucket, name: string): string {
  const sub = bucket[name] as { buckets?: Bucket[] } | undefined;
  return sub?.buckets?.[0] ? String(sub.buckets[0].key) : '';
}

export function Overview({ dark, paused }: Shared) {
  const { params } = useLocation();
  const range: Range = { from: params.get('from') ?? DEFAULT_FROM, ...(params.get('to') && { to: params.get('to')! }) };
  const [parts, setParts] = useState<Parts>({});
  const [error, setError] = useState('');
  /** Parts the server refused (403): their panels say so; the others still draw. */
  const [denied, setDenied] = useState<Partial<Record<keyof Parts, string>>>({});
  const [fresh, setFresh] = useState<LiveEvent[]>([]);
  const generation = useRef(0);

  /** Asks for every part; each is drawn when it arrives. A range change clears the old parts, a refresh keeps them. */
  /** When the last load started and finished, so that live refreshes never pile up on a slow store. */
  const lastLoad = useRef({ started: 0, finished: 0 });

  const load = useCallback((clear: boolean): Promise<unknown> => {
    const gen = ++generation.current;
    lastLoad.current = { started: Date.now(), finished: 0 };
    if (clear) setParts({});
    const bounds = resolve(range, Date.now());
    const span = bounds.to - bounds.from;
    const window = (from: number, to: number) => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    const aggregate = (from: number, to: number, aggs: Record<string, unknown>): Promise<AggregateAnswer> =>
      api<AggregateAnswer>('/api/v1/aggregate', { method: 'POST', body: { ...window(from, to), aggs } });
    const keep = <K extends keyof Parts>(key: K) => (value: Parts[K]): void => {
      if (gen === generation.current) setParts((p) => ({ ...p, [key]: value }));
    };
    const fail = (key: keyof Parts) => (e: unknown): void => {
      if (gen !== generation.current) return;
      if (e instanceof ApiFailure && e.status === 403) setDenied((d) => ({ ...d, [key]: e.message }));
      else setError(e instanceof ApiFailure ? e.message : 'the server cannot be reached');
    };
    setError('');
    setDenied({});
    // In order of cost, as the server answers one at a time: counts first, the remote-IP terms last.
    return Promise.allSettled([
      aggregate(bounds.from, bounds.to, countAggs(intervalFor(span))).then(keep('counts'), fail('counts')),
      aggregate(bounds.from - span, bounds.from - 1, { bands: terms('band', 4) }).then(keep('previous'), fail('previous')),
      api<SearchAnswer>(`/api/v1/findings?${new URLSearchParams({ q: 'archived:false', sort: 'createdAt:asc', size: '10' })}`).then((a) => keep('open')(a.findings), fail('open')),
      aggregate(bounds.from, bounds.to, fieldAggs()).then(keep('fields'), fail('fields')),
      aggregate(bounds.from, bounds.to, { remoteIps: { terms: { field: 'remoteIp', size: TOP }, aggs: { country: terms('remoteCountry', 1), org: terms('remoteOrg', 1) } } }).then(keep('remote'), fail('remote')),
    ]).then(() => {
      if (gen === generation.current) lastLoad.current = { ...lastLoad.current, finished: Date.now() };
    });
  }, [range.from, range.to]);

  useEffect(() => void load(true), [load]);

  // Live: new findings are listed at once (highlighted); the panels refresh after a pause of at least a second
  // and twice as long as the last load took, never while one is running, so a busy feed cannot flood the server.
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const scheduleRefresh = (): void => {
    if (refreshTimer.current) return;
    const { started, finished } = lastLoad.current;
    const pause = finished === 0 ? 1000 : Math.max(1000, 2 * (finished - started));
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      if (lastLoad.current.finished === 0) scheduleRefresh();
      else void load(false);
    }, pause);
  };
  useEffect(() => () => clearTimeout(refreshTimer.current), []);
  const status = useLive('', paused, (e) => {
    setFresh((list) => [e, ...list.filter((x) => findingPath(x.yagura) !== findingPath(e.yagura))].slice(0, 8));
    scheduleRefresh();
  }, () => void load(false), streamAllowed(useSession()));

  const toSearch = (c: string): void => navigate(searchUrl({ q: c, from: range.from, ...(range.to && { to: range.to }) }));
  /** A histogram bar: that band, over that bar's time (as Kibana zooms into a clicked bar). */
  const timelineClick = (band: string, value: unknown): void => {
    const start = Array.isArray(value) && typeof value[0] === 'number' ? value[0] : undefined;
    if (start === undefined) return toSearch(clause('band', band));
    const bounds = resolve(range, Date.now());
    const end = start + intervalMs(intervalFor(bounds.to - bounds.from)) - 1;
    navigate(searchUrl({ q: clause('band', band), from: new Date(start).toISOString(), to: new Date(end).toISOString() }));
  };
  const setRange = (r: Range): void => navigate(`/?${new URLSearchParams({ from: r.from, ...(r.to && { to: r.to }) })}`);

  const timelineOption = useMemo(() => {
    const buckets = parts.counts?.aggregations['timeline']?.buckets ?? [];
    return {
      legend: { top: 0, textStyle: { fontSize: 11 } },
      grid: { left: 40, right: 16, top: 28, bottom: 24 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', minInterval: 1 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      series: BANDS.map((band) => {
        const b = buckets.find((x) => x.key === band);
        const points = ((b?.['t'] as { buckets?: Bucket[] } | undefined)?.buckets ?? []).map((p) => [p.key, p.doc_count]);
        return { type: 'bar', name: band, stack: 'bands', data: points, itemStyle: { color: BAND_COLORS[band] }, barCategoryGap: '10%', cursor: 'pointer' };
      }),
    };
  }, [parts.counts]);

  const panelOptions = useMemo(() => PANELS.map(([agg, , , color]) => {
    const buckets = parts.fields?.aggregations[agg]?.buckets ?? [];
    return topBarsOption(buckets.map((b) => String(b.key)), buckets.map((b) => b.doc_count), color);
  }), [parts.fields]);

  const resourceBuckets = parts.fields?.aggregations['resources']?.buckets ?? [];
  const resourcesOption = useMemo(() => topBarsOption(resourceBuckets.map((b) => String(b.key)), resourceBuckets.map((b) => b.doc_count), '#5f3dc4'), [parts.fields]);
  const resourceFilter = (index: number): string => {
    const b = resourceBuckets[index];
    const type = b ? subKey(b, 'type') : '';
    // resourceId is a catalogue column: the filter uses its index instead of reading documents.
    return b ? `${clause('resourceType', type)} and ${clause('resourceId', String(b.key))}` : '';
  };

  const archivedOption = useMemo(() => {
    const buckets = parts.counts?.aggregations['archived']?.buckets ?? [];
    const count = (k: string): number => buckets.find((b) => String(b.key) === k)?.doc_count ?? 0;
    return topBarsOption(['Open', 'Archived'], [count('false'), count('true')], '#868e96');
  }, [parts.counts]);

  const loaded = (Object.keys(parts) as Array<keyof Parts>).filter((k) => parts[k] !== undefined && denied[k] === undefined).length + Object.keys(denied).length === PART_COUNT;
  const now = bandCounts(parts.counts ?? { total: 0, aggregations: {} });
  const before = bandCounts(parts.previous ?? { total: 0, aggregations: {} });
  return (
    <section class="overview" aria-labelledby="overview-title" data-state={loaded ? 'loaded' : 'loading'} data-testid="overview">
      <div class="toolbar">
        <h1 id="overview-title">Overview</h1>
        <TimePicker range={range} onChange={setRange} />
        <LiveBadge status={status} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {denied.counts && <Denied message={denied.counts} />}
      <div class="bands" role="group" aria-label="Findings per severity band">
        {BANDS.map((band) => {
          const n = now[band] ?? 0;
          const delta = n - (before[band] ?? 0);
          return (
            <button type="button" class={`band band-${band.toLowerCase()}`} data-testid={`band-${band}`} onClick={() => toSearch(clause('band', band))}>
              <span class="band-name">{band}</span>
              <span class="band-count" data-testid={`band-count-${band}`}>{parts.counts ? n.toLocaleString('en-US') : denied.counts ? '—' : '…'}</span>
              <span class="band-delta" aria-label="change against the previous period">
                {!parts.counts || !parts.previous ? '' : delta > 0 ? `▲ ${delta} vs previous` : delta < 0 ? `▼ ${-delta} vs previous` : '= previous'}
              </span>
            </button>
          );
        })}
      </div>
      <div class="panel wide">
        <h2>Findings over time</h2>
        {denied.counts ? <Denied message={denied.counts} /> : <Chart pending={parts.counts === undefined} option={timelineOption} label="Findings over time, stacked by severity band" dark={dark} height={220} testId="timeline"
          onClick={(c: ChartClick) => c.seriesName && timelineClick(c.seriesName, c.value)} />}
      </div>
      <div class="grid">
        {PANELS.map(([agg, field, title], i) => (
          <div class="panel" data-testid={`panel-${agg}`}>
            <h2>{title}</h2>
            {denied.fields ? <Denied message={denied.fields} /> : <Chart pending={parts.fields === undefined} option={panelOptions[i]!} label={`${title}: ${(parts.fields?.aggregations[agg]?.buckets ?? []).map((b) => `${b.key} ${b.doc_count}`).join(', ')}`}
              dark={dark} height={230} onClick={(c) => toSearch(clause(field, c.name))} testId={`chart-${agg}`} />}
          </div>
        ))}
        <div class="panel" data-testid="panel-resources">
          <h2>Most affected resources</h2>
          {denied.fields ? <Denied message={denied.fields} /> : <Chart pending={parts.fields === undefined} option={resourcesOption} label={`Most affected resources: ${resourceBuckets.map((b) => `${b.key} ${b.doc_count}`).join(', ')}`}
            dark={dark} height={230} testId="chart-resources" onClick={(c) => { const f = resourceFilter(c.dataIndex); if (f) toSearch(f); }} />}
        </div>
        <div class="panel" data-testid="panel-archived">
          <h2>Open versus archived</h2>
          {denied.counts ? <Denied message={denied.counts} /> : <Chart pending={parts.counts === undefined} option={archivedOption} label="Open versus archived findings" dark={dark} height={90}
            onClick={(c) => toSearch(clause('archived', c.name === 'Archived'))} />}
        </div>
        <div class="panel" data-testid="panel-remote-ips">
          <h2>Top remote IPs</h2>
          {denied.remote ? <Denied message={denied.remote} /> : <table class="fixed">
            <colgroup><col /><col /><col /><col class="count-col" /></colgroup>
            <thead><tr><th scope="col">IP</th><th scope="col">Country</th><th scope="col">Organisation</th><th scope="col" class="num">Findings</th></tr></thead>
            <tbody>
              {(parts.remote?.aggregations['remoteIps']?.buckets ?? []).map((b) => (
                <tr>
                  <td class="clip" title={String(b.key)}><button type="button" class="link" onClick={() => toSearch(clause('remoteIp', String(b.key)))}>{String(b.key)}</button></td>
                  <td class="clip" title={subKey(b, 'country')}>{subKey(b, 'country')}</td>
                  <td class="clip" title={subKey(b, 'org')}>{subKey(b, 'org')}</td>
                  <td class="num">{b.doc_count}</td>
                </tr>
              ))}
            </tbody>
          </table>}
        </div>
        <div class="panel" data-testid="panel-open-longest">
          <h2>Open longest</h2>
          {denied.open ? <Denied message={denied.open} /> : <table class="fixed">
            <colgroup><col /><col class="band-col" /><col class="count-col" /></colgroup>
            <thead><tr><th scope="col">Finding</th><th scope="col">Band</th><th scope="col" class="num">Open</th></tr></thead>
            <tbody>
              {(parts.open ?? []).map((f) => (
                <tr>
                  <td class="clip" title={String(f.finding.type ?? f.yagura.id)}><a href={`/findings/${findingPath(f.yagura)}`} onClick={(e) => { e.preventDefault(); navigate(`/findings/${findingPath(f.yagura)}`); }}>{String(f.finding.type ?? f.yagura.id)}</a></td>
                  <td class="clip">{f.yagura.band}</td>
                  <td class="num">{duration(f.yagura.timeOpenSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>}
        </div>
        <div class="panel" data-testid="panel-live">
          <h2>Just in</h2>
          {fresh.length === 0 ? <p class="muted">New and updated findings appear here as they arrive.</p> : (
            <ul class="fresh" aria-live="polite">
              {fresh.map((f) => (
                <li class="highlight" data-testid="fresh-finding">
                  <a href={`/findings/${findingPath(f.yagura)}`} onClick={(e) => { e.preventDefault(); navigate(`/findings/${findingPath(f.yagura)}`); }}>{String(f.finding.type ?? f.yagura.id)}</a>
                  <span class="muted"> {f.outcome} · {f.yagura.band} · {when(f.finding.updatedAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

/** Streams unless the server said the caller may not (while unknown, it tries). */
export function streamAllowed(session: Session | undefined): boolean {
  return session === undefined || can(session, 'yagura:StreamFindings');
}

/** A panel the caller's policies do not cover: the server's refusal, instead of a chart that never draws. */
export function Denied({ message }: { message: string }) {
  return <p class="panel-denied" role="note" data-testid="panel-denied">Not allowed: {message}</p>;
}

export function LiveBadge({ status }: { status: string }) {
  return <span class={`live-badge ${status}`} role="status" data-testid="live-status">{status === 'live' ? '● Live' : status === 'paused' ? 'Paused' : status === 'reconnecting' ? 'Reconnecting…' : status === 'unavailable' ? 'Live not allowed' : 'Connecting…'}</span>;
}

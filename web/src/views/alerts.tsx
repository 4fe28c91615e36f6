// Alerting: rules, destinations and the delivery log as three tabs, the tab kept in the URL.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.js';
import type { AlertRule, Destination } from '../alerts-api.js';
import { navigate, useLocation } from '../router.js';
import { AlertRules } from './alert-rules.js';
import { Deliveries } from './deliveries.js';
import { Destinations } from './destinations.js';

const TABS = [
  ['rules', 'Rules'],
  ['destinations', 'Destinations'],
  ['deliveries', 'Delivery log'],
] as const;
type Tab = (typeof TABS)[number][0];

/** Rules and destinations every tab needs (names for ids), reloaded after any change. */
export interface Catalog {
  readonly rules: AlertRule[];
  readonly destinations: Destination[];
  reload(): Promise<void>;
}

export function Alerts() {
  const { params } = useLocation();
  const tab: Tab = TABS.find(([key]) => key === params.get('tab'))?.[0] ?? 'rules';
  const [rules, setRules] = useState<AlertRule[]>([]);
  const [destinations, setDestinations] = useState<Destination[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState('');

  const reload = useCallback(async (): Promise<void> => {
    try {
      const [r, d] = await Promise.all([api<{ rules: AlertRule[] }>('/api/v1/alert-rules'), api<{ destinations: Destination[] }>('/api/v1/destinations')]);
      setRules(r.rules);
      setDestinations(d.destinations);
      setError('');
    } catch (e) {
      setError(e instanceof ApiFailure ? e.message : 'the server cannot be reached');
    } finally {
      setLoaded(true);
    }
  }, []);
  // Each tab shows the current rules and destinations, also those changed elsewhere (the CLI, another browser).
  useEffect(() => void reload(), [reload, tab]);

  const catalog: Catalog = { rules, destinations, reload };
  const select = (key: Tab): void => navigate(key === 'rules' ? '/alerts' : `/alerts?tab=${key}`);
  /** Arrow keys move between tabs (only the selected tab is in the Tab order), as the ARIA tabs pattern asks. */
  const onTabKey = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const i = TABS.findIndex(([key]) => key === tab);
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]![0];
    select(next);
    requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
  };
  return (
    <section class="alerts" aria-labelledby="alerts-title" data-state={loaded ? 'loaded' : 'loading'} data-testid="alerts">
      <div class="toolbar">
        <h1 id="alerts-title">Alerts</h1>
        <div role="tablist" aria-label="Alerting" class="tabs" onKeyDown={onTabKey}>
          {TABS.map(([key, label]) => (
            <button type="button" role="tab" id={`tab-${key}`} aria-selected={tab === key} aria-controls={`panel-${key}`} tabIndex={tab === key ? 0 : -1} onClick={() => select(key)}>
              {label}
            </button>
          ))}
        </div>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'rules' ? <AlertRules catalog={catalog} /> : tab === 'destinations' ? <Destinations catalog={catalog} /> : <Deliveries catalog={catalog} />}
      </div>
    </section>
  );
}

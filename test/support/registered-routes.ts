// Every route the fully configured app (alerts, sessions, metrics) registers, collected as Fastify adds them.
import { Metrics } from '../../src/metrics/metrics.js';
import { alertsFolder, type AlertsHarness } from './alerts-harness.js';

export interface RegisteredRoute {
  /** Lower case, as OpenAPI spells it. */
  readonly method: string;
  /** Fastify's pattern, `:name` for a parameter. */
  readonly url: string;
}

export interface RoutedApp {
  readonly h: AlertsHarness;
  /** Every method of every route, HEAD and OPTIONS included. */
  readonly routes: readonly RegisteredRoute[];
  /** The routes clients call: /api, /health and /metrics, without the HEAD and OPTIONS Fastify adds. */
  readonly served: readonly RegisteredRoute[];
  close(): Promise<void>;
}

export async function routedApp(): Promise<RoutedApp> {
  const folder = await alertsFolder();
  const routes: RegisteredRoute[] = [];
  const h = await folder.open({
    metrics: new Metrics(false),
    onRoute: (route) => {
      for (const method of [route.method].flat()) routes.push({ method: method.toLowerCase(), url: route.url });
    },
  });
  // The dashboard's pages and assets are not API; /api, /health and /metrics are.
  const served = routes.filter((r) => r.method !== 'head' && r.method !== 'options' && (r.url.startsWith('/api/') || r.url === '/health' || r.url === '/metrics'));
  return {
    h,
    routes,
    served,
    async close(): Promise<void> {
      await h.stop();
      await folder.remove();
    },
  };
}

// Digest schedules: one cron job per digest rule (croner, time-zone aware) that cuts the collected matches.
import { Cron } from 'croner';
import type { AlertStore, DigestItem, NewDelivery } from './alert-store.js';
import type { AccountCatalog } from './routing.js';
import { routeMatches } from './routing.js';
import type { AlertRule } from './rule.js';

/** Findings listed in one digest message; the total is always given. */
const MAX_LISTED = 100;

/** Throws when the schedule or time zone is not valid, with croner's explanation. */
export function checkSchedule(schedule: string, timezone: string): void {
  const job = new Cron(schedule, { timezone, paused: true });
  try {
    job.nextRun();
  } finally {
    job.stop();
  }
}

/** One delivery per route that has findings of its accounts in the digest. */
export function digestDeliveries(rule: AlertRule, items: readonly DigestItem[], accounts: AccountCatalog, now: number): NewDelivery[] {
  const deliveries: NewDelivery[] = [];
  for (const route of rule.routes) {
    const mine = items.filter((i) => routeMatches(route, i.finding.accountId, accounts));
    if (mine.length === 0) continue;
    const sorted = [...mine].sort((a, b) => b.finding.severity - a.finding.severity || a.at - b.at);
    deliveries.push({
      rule: rule.id,
      destination: route.destination,
      kind: 'digest',
      message: {
        kind: 'digest',
        rule: { id: rule.id, name: rule.name },
        findings: sorted.slice(0, MAX_LISTED).map((i) => i.finding),
        total: mine.length,
        period: { from: new Date(Math.min(...mine.map((i) => i.at))).toISOString(), to: new Date(now).toISOString() },
      },
      arrivedAt: now,
    });
  }
  return deliveries;
}

export class DigestScheduler {
  private jobs: Cron[] = [];

  constructor(
    private readonly alerts: AlertStore,
    private readonly accounts: AccountCatalog,
    private readonly queued: () => void,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Replaces every job with one per enabled digest rule. */
  reload(rules: readonly AlertRule[]): void {
    this.stop();
    for (const rule of rules) {
      if (!rule.enabled || rule.trigger.kind !== 'digest') continue;
      const job = new Cron(rule.trigger.schedule, { timezone: rule.trigger.timezone, protect: true, unref: true }, async () => {
        try {
          const n = await this.cut(rule);
          if (n > 0) this.queued();
        } catch (error) {
          this.onError(error);
        }
      });
      this.jobs.push(job);
    }
  }

  /** Cuts one rule's digest now; returns how many deliveries it queued. */
  cut(rule: AlertRule): Promise<number> {
    const now = this.now();
    return this.alerts.cutDigest(rule.id, (items) => digestDeliveries(rule, items, this.accounts, now), now);
  }

  stop(): void {
    for (const job of this.jobs) job.stop();
    this.jobs = [];
  }
}

// Digest schedules: one cron job per digest rule (croner, time-zone aware) that cuts the collected matches.
import type { Lease } from '../store/lease.js';
import { Cron } from 'croner';
import type { NewDelivery } from './delivery-log.js';
import type { DigestItem, EvaluationStore } from './evaluation-store.js';
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
      about: mine.map((i) => ({ accountId: i.finding.accountId, region: i.finding.region, id: i.finding.id })),
      arrivedAt: now,
    });
  }
  return deliveries;
}

/** Of a rule's collected items, the `seq`s of those its owner may still read now (none when it may read none). */
export type DigestVisibility = (rule: AlertRule, items: readonly DigestItem[]) => Promise<ReadonlySet<number>>;

export class DigestScheduler {
  private jobs: Cron[] = [];

  constructor(
    private readonly evaluation: EvaluationStore,
    private readonly visible: DigestVisibility,
    private readonly accounts: AccountCatalog,
    private readonly queued: () => void,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
    /** Only the instance holding it cuts digests, so each goes out once. */
    private readonly lease?: Pick<Lease, 'held'>,
  ) {}

  /** Replaces every job with one per enabled digest rule. */
  reload(rules: readonly AlertRule[]): void {
    this.stop();
    for (const rule of rules) {
      if (!rule.enabled || rule.trigger.kind !== 'digest') continue;
      const job = new Cron(rule.trigger.schedule, { timezone: rule.trigger.timezone, protect: true, unref: true }, async () => {
        try {
          if (this.lease !== undefined && !(await this.lease.held())) return;
          const n = await this.cut(rule);
          if (n > 0) this.queued();
        } catch (error) {
          this.onError(error);
        }
      });
      this.jobs.push(job);
    }
  }

  /**
   * Cuts one rule's digest now; returns how many deliveries it queued. Items were collected under the owner's
   * scope at evaluation; those the owner may no longer read (a narrowed policy, a removed owner) are dropped here
   * rather than sent, so a digest never lists a finding outside the owner's scope at the time it goes out.
   */
  async cut(rule: AlertRule): Promise<number> {
    const now = this.now();
    const collected = await this.evaluation.digestItems(rule.id);
    if (collected.length === 0) return 0;
    const visible = await this.visible(rule, collected);
    const through = collected[collected.length - 1]!.seq;
    return this.evaluation.cutDigest(rule.id, (items) => digestDeliveries(rule, items.filter((i) => i.seq !== undefined && visible.has(i.seq)), this.accounts, now), now, through);
  }

  stop(): void {
    for (const job of this.jobs) job.stop();
    this.jobs = [];
  }
}

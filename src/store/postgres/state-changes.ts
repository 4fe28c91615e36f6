// Tells the other instances on the database that principals or the catalog changed, so that their in-memory views
// (the principal resolver's cache, the catalog) refresh at once: a NOTIFY sent with the change, delivered when it
// commits, and a LISTEN connection that bumps the local generation of what changed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PoolConfig } from 'pg';
import type { Sql } from './database.js';

/** What a change notification names. */
export type StateTopic = 'principals' | 'catalog';

const TOPICS: readonly StateTopic[] = ['principals', 'catalog'];

/** Sends notifications of changes from one instance. */
export class StateChanges {
  /** This instance's id, so that it ignores its own notifications (it bumped its generation already). */
  readonly origin = randomBytes(6).toString('base64url');

  constructor(
    /** The channel; one per schema, so that stores in other schemas of the database are not disturbed. */
    readonly channel: string,
  ) {}

  /** Inside the change's transaction: the notification goes out when (and only if) it commits. */
  async announce(tx: Sql, topic: StateTopic): Promise<void> {
    await tx.run('SELECT pg_notify($1, $2)', [this.channel, `${topic} ${this.origin}`]);
  }
}

/** The channel of the stores in `schema` (the user's default schema when undefined). */
export function stateChannel(schema: string | undefined): string {
  // A channel is an identifier: at most 63 bytes (a longer schema name shares a channel, which costs a refresh).
  return (schema === undefined ? 'yagura_state' : `yagura_state_${schema}`).slice(0, 63);
}

export interface StateListenerOptions {
  readonly config: PoolConfig;
  readonly changes: StateChanges;
  /** Called with the topic another instance changed, or with every topic after a reconnect (some may be missed). */
  readonly onChange: (topic: StateTopic) => void;
  /** Told when the connection is lost; it reconnects by itself. */
  readonly onError?: (error: Error) => void;
}

const RETRY_MS = [250, 1000, 5000, 15_000];

/** One connection listening for other instances' changes; reconnects with backoff until closed. */
export class StateListener {
  private client: pg.Client | undefined;
  private closed = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: StateListenerOptions) {}

  /** Connects and listens; rejects when the first connection fails. */
  static async start(options: StateListenerOptions): Promise<StateListener> {
    const listener = new StateListener(options);
    await listener.connect();
    return listener;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.options.config });
    client.on('notification', (message) => {
      if (message.channel !== this.options.changes.channel || message.payload === undefined) return;
      const [topic, origin] = message.payload.split(' ');
      if (origin === this.options.changes.origin || !(TOPICS as readonly string[]).includes(topic ?? '')) return;
      this.options.onChange(topic as StateTopic);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the listening connection ended')));
    try {
      await client.connect();
      // The channel is quoted as an identifier; it is made from a schema name checked to be a plain identifier.
      await client.query(`LISTEN "${this.options.changes.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.options.onError?.(error);
    void client.end().catch(() => undefined);
    this.retry();
  }

  private retry(): void {
    const delay = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)]!;
    this.failures++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.connect().then(
        // Whatever changed while the connection was down went unheard: everything is treated as changed.
        () => TOPICS.forEach((t) => this.options.onChange(t)),
        (error: unknown) => {
          this.options.onError?.(error as Error);
          this.retry();
        },
      );
    }, delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

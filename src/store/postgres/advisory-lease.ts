// A lease as a PostgreSQL session-level advisory lock on a connection of its own: held while that connection
// lives, so an instance that dies (or loses its connection) releases it, and another takes it at its next try.
import pg from 'pg';
import type { Lease } from '../lease.js';
import { poolConfig, type StoreConfig } from './postgres-config.js';

export class AdvisoryLease implements Lease {
  private client: pg.Client | undefined;
  private holding = false;
  private closed = false;

  constructor(
    private readonly config: StoreConfig,
    /** Unique per lease and per schema (tests give each backend a schema). */
    private readonly name: string,
  ) {}

  async held(): Promise<boolean> {
    if (this.closed) return false;
    if (this.holding && this.client !== undefined) return true;
    try {
      const client = this.client ?? (await this.connect());
      const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.name]);
      this.holding = result.rows[0]?.ok === true;
    } catch {
      this.drop();
    }
    return this.holding;
  }

  async release(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.drop();
    // Ending the session releases the lock.
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ ...poolConfig(this.config, 'yagura-lease') });
    // A lost connection lost the lock with it: the next try connects again and asks anew.
    client.on('error', () => this.drop());
    client.on('end', () => this.drop());
    await client.connect();
    this.client = client;
    return client;
  }

  private drop(): void {
    this.holding = false;
    this.client = undefined;
  }
}

// A fresh PostgreSQL database for one test file, on the server YAGURA_TEST_POSTGRES_URL names (default: the local
// one, trust auth), dropped when the file is done.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env['YAGURA_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** URL of the new database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, ending whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** Creates `yagura_test_<prefix>_<random>`; fails with a readable message when no server answers. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `yagura_test_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `no PostgreSQL server at ${new URL(ADMIN_URL).host} (${(error as Error).message}); start one ` +
        '(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set YAGURA_TEST_POSTGRES_URL',
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop(): Promise<void> {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

// SigV4 credentials of API keys in PostgreSQL: the secret sealed under the master key.
import type { SigningKeyRecord, SigningKeyStore } from '../../auth/principals/signing-keys.js';
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import type { PgDatabase } from './database.js';
import { rewriteSealedColumn } from './sealed-column.js';

interface Row {
  key_id: string;
  access_key_id: string;
  sealed_secret: string;
}

export class PostgresSigningKeyStore implements SigningKeyStore, SealedRecords {
  readonly description = 'API key signing credentials';

  constructor(private readonly db: PgDatabase) {}

  async insert(r: SigningKeyRecord): Promise<void> {
    await this.db.run('INSERT INTO api_key_signing (key_id, access_key_id, sealed_secret) VALUES ($1, $2, $3)', [r.keyId, r.accessKeyId, r.sealedSecret]);
  }

  async byAccessKeyId(accessKeyId: string): Promise<SigningKeyRecord | undefined> {
    const [row] = await this.db.rows<Row>('SELECT key_id, access_key_id, sealed_secret FROM api_key_signing WHERE access_key_id = $1', [accessKeyId]);
    return row && { keyId: row.key_id, accessKeyId: row.access_key_id, sealedSecret: row.sealed_secret };
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return this.db.transaction((tx) =>
      rewriteSealedColumn(tx, { table: 'api_key_signing', keyColumn: 'access_key_id', sealedColumn: 'sealed_secret', contextOf: (id) => `key:${id}` }, rewrite),
    );
  }
}

// SigV4 credentials of API keys in the embedded store: the secret sealed under the master key.
import type Database from 'better-sqlite3';
import type { SigningKeyRecord, SigningKeyStore } from '../../auth/principals/signing-keys.js';
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import { rewriteSealedColumn } from './sealed-column.js';

interface Row {
  key_id: string;
  access_key_id: string;
  sealed_secret: string;
}

export class SqliteSigningKeyStore implements SigningKeyStore, SealedRecords {
  readonly description = 'API key signing credentials';

  constructor(private readonly db: Database.Database) {}

  async insert(r: SigningKeyRecord): Promise<void> {
    this.db.prepare('INSERT INTO api_key_signing (key_id, access_key_id, sealed_secret) VALUES (?, ?, ?)').run(r.keyId, r.accessKeyId, r.sealedSecret);
  }

  async byAccessKeyId(accessKeyId: string): Promise<SigningKeyRecord | undefined> {
    const row = this.db.prepare('SELECT key_id, access_key_id, sealed_secret FROM api_key_signing WHERE access_key_id = ?').get(accessKeyId) as Row | undefined;
    return row && { keyId: row.key_id, accessKeyId: row.access_key_id, sealedSecret: row.sealed_secret };
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return rewriteSealedColumn(this.db, { table: 'api_key_signing', keyColumn: 'access_key_id', sealedColumn: 'sealed_secret', contextOf: (id) => `key:${id}` }, rewrite);
  }
}

// Alerting's stores on one embedded database, sharing its transactions.
import type Database from 'better-sqlite3';
import type { AlertStores } from '../../alerts/alert-stores.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';
import { SqliteAlertRuleStore } from './alert-rule-store.js';
import { SqliteDeliveryLog } from './delivery-log.js';
import { SqliteDestinationStore } from './destination-store.js';
import { SqliteEvaluationStore } from './evaluation-store.js';

/** The stores, destinations sealed with `secrets` (and listed among the records a master key rotation re-seals). */
export interface SqliteAlertStores extends AlertStores {
  readonly destinations: SqliteDestinationStore;
}

export function sqliteAlertStores(db: Database.Database, secrets: SecretBox): SqliteAlertStores {
  return {
    rules: new SqliteAlertRuleStore(db),
    destinations: new SqliteDestinationStore(db, secrets),
    evaluation: new SqliteEvaluationStore(db),
    deliveries: new SqliteDeliveryLog(db),
  };
}

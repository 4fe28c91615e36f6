// Alerting's stores on one PostgreSQL pool; an evaluation's deliveries commit in the transaction of its cursor.
import type { AlertStores } from '../../alerts/alert-stores.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';
import { PostgresAlertRuleStore } from './alert-rule-store.js';
import type { PgDatabase } from './database.js';
import { PostgresDeliveryLog, type PostgresDeliveryLogOptions } from './delivery-log.js';
import { PostgresDestinationStore } from './destination-store.js';
import { PostgresEvaluationStore } from './evaluation-store.js';

/** The stores, destinations sealed with `secrets` (and listed among the records a master key rotation re-seals). */
export interface PostgresAlertStores extends AlertStores {
  readonly destinations: PostgresDestinationStore;
  readonly deliveries: PostgresDeliveryLog;
}

export function postgresAlertStores(db: PgDatabase, secrets: SecretBox, deliveries: PostgresDeliveryLogOptions = {}): PostgresAlertStores {
  return {
    rules: new PostgresAlertRuleStore(db),
    destinations: new PostgresDestinationStore(db, secrets),
    evaluation: new PostgresEvaluationStore(db),
    deliveries: new PostgresDeliveryLog(db, deliveries),
  };
}

// Alerting's persistence, one small store per concern, with no SQL outside the backend that implements them.
import type { AlertRuleStore } from './alert-rule-store.js';
import type { DeliveryLog } from './delivery-log.js';
import type { DestinationStore } from './destination-store.js';
import type { EvaluationStore } from './evaluation-store.js';

/** The stores of one backend; they share its transactions (an evaluation's deliveries commit with its cursor). */
export interface AlertStores {
  readonly rules: AlertRuleStore;
  readonly destinations: DestinationStore;
  readonly evaluation: EvaluationStore;
  readonly deliveries: DeliveryLog;
}

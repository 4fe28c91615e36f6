// Alerting's coded errors; the API maps their codes to HTTP statuses in src/api/api-error.ts.

export type AlertErrorCode = 'INVALID_RULE' | 'INVALID_DESTINATION' | 'PRIVATE_ADDRESS' | 'DESTINATION_IN_USE';

export class AlertError extends Error {
  constructor(
    readonly code: AlertErrorCode,
    message: string,
  ) {
    super(message);
  }
}

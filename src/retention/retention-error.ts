// The coded errors of retention; src/api/api-error.ts maps each code to a status.

export type RetentionErrorCode = 'INVALID_RETENTION_POLICY' | 'INVALID_LEGAL_HOLD' | 'LEGAL_HOLD_NOT_FOUND' | 'TOO_MANY_LEGAL_HOLDS';

export class RetentionError extends Error {
  constructor(
    readonly code: RetentionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

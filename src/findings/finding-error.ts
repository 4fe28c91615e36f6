// Coded reasons a candidate finding is rejected; a client switches on `code`, a person reads `message`.

export type FindingErrorCode =
  | 'NOT_AN_OBJECT'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'FORBIDDEN_KEY'
  | 'NESTING_TOO_DEEP'
  | 'DOCUMENT_TOO_LARGE'
  | 'NOT_A_FINDING'
  | 'SECURITY_HUB_FINDING'
  | 'INVALID_JSON';

export interface FindingRejection {
  readonly code: FindingErrorCode;
  readonly message: string;
}

export function rejection(code: FindingErrorCode, message: string): FindingRejection {
  return { code, message };
}

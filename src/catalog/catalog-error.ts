// The coded errors of the account catalog; src/api/api-error.ts maps each code to a status.

export type CatalogErrorCode =
  | 'INVALID_NAME'
  | 'INVALID_ACCOUNT_ID'
  | 'INVALID_TAGS'
  | 'INVALID_ACCOUNT_NAME'
  | 'UNKNOWN_CATALOG_GROUP'
  | 'CATALOG_GROUP_NOT_FOUND'
  | 'CATALOG_ACCOUNT_NOT_FOUND'
  | 'CATALOG_POLICY_NOT_FOUND'
  | 'CATALOG_GROUP_NOT_EMPTY'
  | 'BUILT_IN';

export class CatalogError extends Error {
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

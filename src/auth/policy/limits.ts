// The limits a policy document must keep, in one place; the numbers are IAM's where IAM has one.

export const POLICY_LIMITS = {
  /** IAM's customer managed policy limit (characters without whitespace; we count UTF-8 bytes of compact JSON). */
  maxIdentityPolicyBytes: 6_144,
  /** AWS Glue's Data Catalog resource policy limit, the nearest AWS analogue of Yagura's catalog policy. */
  maxResourcePolicyBytes: 10_240,
  /**
   * IAM bounds statements only through size; this count (more than the size limits can hold) is checked first so
   * that an enormous document is refused before anything else is done with it.
   */
  maxStatements: 250,
  /** Actions, resources, principals or condition values in one element. */
  maxValuesPerElement: 1_000,
  /**
   * JSON nesting a policy can have: document, Statement list, statement, Condition, operator, key, value list.
   * Deeper input is refused before anything walks it recursively.
   */
  maxDepth: 7,
  /** Longest single string anywhere in a policy. */
  maxStringLength: 2_048,
} as const;

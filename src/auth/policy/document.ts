// The typed form of an IAM policy document once validated; evaluation reads only these types.

export type PolicyVersion = '2012-10-17' | '2008-10-17';

/** Identity policies are attached to a principal; resource policies to a resource and name principals. */
export type PolicyKind = 'identity' | 'resource';

export type Effect = 'Allow' | 'Deny';

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** `Principal`/`NotPrincipal`: `"*"` is `any`; otherwise the values listed under each key. */
export interface PrincipalSet {
  readonly any: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

export interface ConditionOperator {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly name: string;
  /** The operator without qualifier and suffix, e.g. `StringLike`. */
  readonly base: string;
  readonly qualifier?: SetQualifier;
  readonly ifExists: boolean;
}

export interface ConditionClause {
  readonly operator: ConditionOperator;
  /** The context key as written; keys compare case-insensitively. */
  readonly key: string;
  /** Policy values as strings (IAM accepts numbers and booleans and compares their text). */
  readonly values: readonly string[];
}

export interface Statement {
  /** Where the statement sits, for reports: `Statement[2]`. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Absent in a resource policy that leaves it out: the statement covers the resource it is attached to. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: PrincipalSet;
  readonly notPrincipal?: PrincipalSet;
  readonly conditions: readonly ConditionClause[];
}

export interface Policy {
  readonly version: PolicyVersion;
  readonly kind: PolicyKind;
  readonly statements: readonly Statement[];
}

/** A request's context: condition keys (any case) to one value or a set of values. */
export type ContextValue = string | number | boolean | readonly (string | number | boolean)[];
export type RequestContext = Readonly<Record<string, ContextValue>>;

// The one error of the policy language: a document that is not a valid policy, named by element.

export class PolicyError extends Error {
  readonly code = 'INVALID_POLICY';

  /** `message` reads `Statement[2].Condition: unknown operator "StringEqualz"`. */
  constructor(message: string) {
    super(message);
  }
}

// What the facets need from the backend to give its SQL's answers to the digit: how it orders text and how it sums.

/** A running sum of one column's values, rounded as the backend's SQL rounds `sum()`. */
export interface Summation {
  add(value: number): void;
  readonly value: number;
}

export interface FacetSemantics {
  /** The backend's order of stored text (terms ties, text ranges in queries). */
  compareText(a: string, b: string): number;
  /** A new sum of a column: `integers` for INTEGER columns (band, times), else the double column (severity). */
  sum(integers: boolean): Summation;
  /**
   * Whether the backend folds case as JavaScript's `toLowerCase` does (IAM's IgnoreCase conditions): when it does
   * not, the facets leave such conditions to SQL.
   */
  readonly foldsCaseAsJavaScript: boolean;
}

// What a KQL field name may look like; shared by the parser and by stores that turn names into JSON paths.

const FIELD_NAME = /^[\p{L}\p{N}_@-]+(?:\.[\p{L}\p{N}_@-]+)*$/u;

/** True for dot-separated, non-empty names made of letters, digits, `_`, `-` and `@`. */
export function isFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

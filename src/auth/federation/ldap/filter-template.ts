// Search filters from MinIO-style templates: `%s` is the username and `%d` the user's DN, each escaped (RFC 4515).
import { Filter, FilterParser } from 'ldapts';

/**
 * Fills the template in one pass, so that a `%d` or `%s` inside the username is never substituted again, and
 * escapes every value with ldapts's RFC 4515 escaping: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`,
 * `\5c` and `\00`, so input can only ever be an assertion value, never filter syntax.
 */
export function fillFilter(template: string, values: { readonly username: string; readonly userDn?: string }): string {
  return template.replace(/%[sd]/g, (placeholder) => Filter.escape(placeholder === '%s' ? values.username : (values.userDn ?? '')));
}

/**
 * Why the template cannot serve as a search filter, or undefined when it can: it must name at least one of the
 * `placeholders` and, filled with sample values, parse as an LDAP filter.
 */
export function filterTemplateProblem(template: string, placeholders: ReadonlyArray<'%s' | '%d'>): string | undefined {
  if (!placeholders.some((p) => template.includes(p))) {
    return `the filter must contain ${placeholders.join(' or ')}, where the ${placeholders.map((p) => (p === '%s' ? 'username' : "user's DN")).join(' or ')} goes`;
  }
  try {
    FilterParser.parseString(fillFilter(template, { username: 'user', userDn: 'uid=user,dc=example,dc=org' }));
    return undefined;
  } catch {
    return 'the filter is not a valid LDAP search filter (RFC 4515), e.g. (&(objectClass=person)(uid=%s))';
  }
}

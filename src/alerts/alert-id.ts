// Ids of alert rules and destinations, made the same way by every backend: `rul_…`, `dst_…`.
import { randomBytes } from 'node:crypto';

export function newAlertId(prefix: 'rul' | 'dst'): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

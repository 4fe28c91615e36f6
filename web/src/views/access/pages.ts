// The Access area's pages: path, menu label and the action the server must allow for the page to show.
export interface AccessPage {
  readonly path: string;
  readonly label: string;
  readonly action: string;
}

export const ACCESS_PAGES: readonly AccessPage[] = [
  { path: '/access/users', label: 'Users', action: 'yagura:ListUsers' },
  { path: '/access/groups', label: 'Groups', action: 'yagura:ListGroups' },
  { path: '/access/roles', label: 'Roles', action: 'yagura:ListRoles' },
  { path: '/access/keys', label: 'Keys', action: 'yagura:ListKeys' },
  { path: '/access/policies', label: 'Policies', action: 'yagura:ListPolicies' },
  { path: '/access/catalog', label: 'Catalog', action: 'yagura:GetCatalogGroups' },
  { path: '/access/simulator', label: 'Simulator', action: 'yagura:SimulatePolicy' },
  { path: '/access/audit', label: 'Audit log', action: 'yagura:SearchAuditLog' },
];

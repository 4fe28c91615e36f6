// The OpenAPI 3.1 document of the whole HTTP API; a test fails when a registered route is missing from it.
import { componentSchemas } from './components.js';
import { alertPaths } from './paths-alerts.js';
import { auditPaths } from './paths-audit.js';
import { dashboardPaths } from './paths-dashboard.js';
import { erasurePaths } from './paths-erasures.js';
import { findingPaths } from './paths-findings.js';
import { policyPaths } from './paths-policies.js';
import { iamPaths } from './paths-iam.js';
import { catalogPaths } from './paths-catalog.js';
import { federationPaths } from './paths-federation.js';
import { retentionPaths } from './paths-retention.js';

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Yagura API', version, description: 'Self-hosted, real-time monitoring of Amazon GuardDuty findings. See docs/api.md.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: { ...findingPaths, ...dashboardPaths, ...alertPaths, ...policyPaths, ...iamPaths, ...catalogPaths, ...auditPaths, ...federationPaths, ...erasurePaths, ...retentionPaths },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
      schemas: componentSchemas(),
    },
  };
}

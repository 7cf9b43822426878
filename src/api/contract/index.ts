/**
 * The API contract: every operation as typed data. The server's routes and the SDK are both
 * derived from it. Add a resource as one file here and one route module under ../routes.
 */
import { apiKeySchema, createApiKey, createdApiKeySchema, listApiKeys, revokeApiKey } from './api-keys.ts';
import { createConnectSession } from './connect-sessions.ts';
import {
  connectionSchema,
  deleteConnection,
  getConnection,
  listConnections,
  testConnection,
  updateConnectionMetadata,
} from './connections.ts';
import { environmentSchema, getEnvironment } from './environment.ts';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  integrationSchema,
  listIntegrations,
  updateIntegration,
} from './integrations.ts';
import { health, ready } from './system.ts';

export const contract = {
  system: { health, ready },
  environment: { get: getEnvironment },
  apiKeys: { list: listApiKeys, create: createApiKey, revoke: revokeApiKey },
  integrations: {
    list: listIntegrations,
    create: createIntegration,
    get: getIntegration,
    update: updateIntegration,
    delete: deleteIntegration,
  },
  connections: {
    list: listConnections,
    get: getConnection,
    delete: deleteConnection,
    updateMetadata: updateConnectionMetadata,
    test: testConnection,
  },
  connectSessions: { create: createConnectSession },
} as const;

export {
  type AuthMode,
  type BodyOf,
  defineOperation,
  type HttpMethod,
  type Operation,
  type ParamsOf,
  type QueryOf,
  type RequestOf,
  type ResponseOf,
} from './operation.ts';
export { type ErrorBody, errorBodySchema, idKindOf, idParam, listOf, timestamp } from './schemas.ts';
export { apiKeySchema, connectionSchema, createdApiKeySchema, environmentSchema, integrationSchema };

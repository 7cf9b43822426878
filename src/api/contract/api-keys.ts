import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { idParam, listOf, timestamp } from './schemas.ts';

/** An API key as listed: never its secret, never its hash. */
export const apiKeySchema = z
  .object({
    id: z.string().meta({ example: 'key_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    name: z.string(),
    prefix: z
      .string()
      .meta({ description: 'The start of the secret, to tell keys apart.', example: 'pb_sk_dev_4Zq8' }),
    environmentId: z.string(),
    status: z.enum(['active', 'revoked']),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable().meta({ description: 'Accurate to about a minute.' }),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

/** A key just created: the only answer that ever contains its secret. */
export const createdApiKeySchema = apiKeySchema
  .extend({
    secret: z.string().meta({
      description: 'The secret key. Shown once: store it now, it cannot be read again.',
      example: 'pb_sk_dev_4Zq8mN2pXr7LkW3vB9tY6hJ1cF5dG0sA8eQ2uIx',
    }),
  })
  .meta({ id: 'CreatedApiKey' });

export const listApiKeys = defineOperation({
  id: 'listApiKeys',
  method: 'GET',
  path: '/v1/api-keys',
  summary: "List the environment's API keys",
  description: 'Active and revoked keys of the calling key’s environment, oldest first.',
  tag: 'API keys',
  auth: 'apiKey',
  status: 200,
  response: listOf(apiKeySchema),
  errors: [],
});

export const createApiKey = defineOperation({
  id: 'createApiKey',
  method: 'POST',
  path: '/v1/api-keys',
  summary: 'Create an API key',
  description: 'Creates a secret key in the calling key’s environment. The answer holds the secret, once.',
  tag: 'API keys',
  auth: 'apiKey',
  body: z.strictObject({ name: z.string().trim().min(1).max(100).meta({ example: 'CI deploys' }) }),
  status: 201,
  response: createdApiKeySchema,
  errors: [],
});

export const revokeApiKey = defineOperation({
  id: 'revokeApiKey',
  method: 'DELETE',
  path: '/v1/api-keys/:id',
  summary: 'Revoke an API key',
  description:
    'Revokes a key of the calling key’s environment; it fails authentication from then on. Revoking the key in use is allowed; revoking twice keeps the first time.',
  tag: 'API keys',
  auth: 'apiKey',
  params: z.object({ id: idParam('apiKey') }),
  status: 200,
  response: apiKeySchema,
  errors: ['invalid_id', 'not_found'],
});

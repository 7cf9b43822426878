import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { listOf, timestamp } from './schemas.ts';

const baseUrls = z.record(z.string().min(1).max(300), z.string().min(1).max(500)).meta({
  description:
    'Definition origin (or `*`) → base URL to use instead, e.g. `{ "https://api.gumroad.com": "http://127.0.0.1:4010/gumroad" }`. How one definition runs against a sandbox.',
});

const settingsSchema = z
  .strictObject({
    baseUrls: baseUrls.optional(),
    redirectUri: z.string().max(2000).optional().meta({
      description:
        'The OAuth redirect URI registered at the provider, when it is not Patchbay’s own callback.',
    }),
    autoStartSyncs: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a sync name'))
      .max(100)
      .optional()
      .meta({
        description:
          'The syncs a new connection starts on its own; the others wait to be started. Absent: those whose definition auto-starts. `[]` for an integration used for its actions only.',
        example: ['invoices'],
      }),
  })
  .meta({ id: 'IntegrationSettings' });

/** An integration as the API shows it: whether secrets are set, never their values. */
export const integrationSchema = z
  .object({
    id: z.string().meta({ example: 'int_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    environmentId: z.string(),
    key: z.string().meta({ example: 'gumroad' }),
    provider: z.string().meta({ example: 'gumroad' }),
    displayName: z.string().nullable(),
    clientId: z.string().nullable(),
    hasClientSecret: z.boolean(),
    hasWebhookSecret: z.boolean(),
    scopes: z.array(z.string()).nullable().meta({ description: 'Null means the provider’s default scopes.' }),
    settings: settingsSchema,
    enabled: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Integration' });

const key = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/, 'use 1 to 60 lowercase letters, digits and dashes')
  .meta({ description: 'Unique in the environment; defaults to the provider name.', example: 'gumroad' });
const scopes = z.array(z.string().min(1).max(200).regex(/^\S+$/, 'a scope has no whitespace')).max(100);
const text = (max: number) => z.string().max(max);

const createBody = z.strictObject({
  key: key.optional(),
  provider: z.string().min(1).max(100).meta({ example: 'gumroad' }),
  displayName: text(100).nullable().optional(),
  clientId: text(500).nullable().optional(),
  clientSecret: text(2000).nullable().optional().meta({ description: 'Stored encrypted; never returned.' }),
  webhookSecret: text(2000).nullable().optional().meta({ description: 'Stored encrypted; never returned.' }),
  scopes: scopes.nullable().optional(),
  settings: settingsSchema.optional(),
  enabled: z.boolean().optional(),
});

const updateBody = createBody.omit({ key: true, provider: true });

const idOrKey = z.object({
  idOrKey: z
    .string()
    .min(1)
    .max(100)
    .meta({ description: 'The integration id (`int_…`) or its key.', example: 'gumroad' }),
});

export const listIntegrations = defineOperation({
  id: 'listIntegrations',
  method: 'GET',
  path: '/v1/integrations',
  summary: "List the environment's integrations",
  tag: 'Integrations',
  auth: 'apiKey',
  status: 200,
  response: listOf(integrationSchema),
  errors: [],
});

export const createIntegration = defineOperation({
  id: 'createIntegration',
  method: 'POST',
  path: '/v1/integrations',
  summary: 'Enable a provider in the environment',
  description:
    'OAuth providers need `clientId` and `clientSecret` of your OAuth app at the provider. Secrets are stored encrypted and never returned.',
  tag: 'Integrations',
  auth: 'apiKey',
  body: createBody,
  status: 201,
  response: integrationSchema,
  errors: ['provider_not_found', 'conflict'],
});

export const getIntegration = defineOperation({
  id: 'getIntegration',
  method: 'GET',
  path: '/v1/integrations/:idOrKey',
  summary: 'Get an integration by id or key',
  tag: 'Integrations',
  auth: 'apiKey',
  params: idOrKey,
  status: 200,
  response: integrationSchema,
  errors: ['not_found'],
});

export const updateIntegration = defineOperation({
  id: 'updateIntegration',
  method: 'PATCH',
  path: '/v1/integrations/:idOrKey',
  summary: 'Update an integration',
  description: 'Fields left out stay as they are; `null` clears a field. `settings` is replaced whole.',
  tag: 'Integrations',
  auth: 'apiKey',
  params: idOrKey,
  body: updateBody,
  status: 200,
  response: integrationSchema,
  errors: ['not_found'],
});

export const deleteIntegration = defineOperation({
  id: 'deleteIntegration',
  method: 'DELETE',
  path: '/v1/integrations/:idOrKey',
  summary: 'Delete an integration',
  description: 'Refused with `conflict` while the integration has connections: delete them first.',
  tag: 'Integrations',
  auth: 'apiKey',
  params: idOrKey,
  status: 200,
  response: z.object({ id: z.string(), deleted: z.literal(true) }),
  errors: ['not_found', 'conflict'],
});

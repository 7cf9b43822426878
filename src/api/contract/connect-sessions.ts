import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { timestamp } from './schemas.ts';

export const createConnectSession = defineOperation({
  id: 'createConnectSession',
  method: 'POST',
  path: '/v1/connect/sessions',
  summary: 'Let one end user connect accounts',
  description:
    'Called by your backend. Returns a short-lived token for the connect page (`url`, or the SDK’s `connect({ sessionToken })`). The token is shown once; treat it as a secret until it expires.',
  tag: 'Connect',
  auth: 'apiKey',
  body: z.strictObject({
    endUser: z.strictObject({
      id: z
        .string()
        .trim()
        .min(1)
        .max(255)
        .meta({ description: 'Your id of the end user.', example: 'user_42' }),
      email: z.string().max(320).nullable().optional(),
      organization: z.string().max(255).nullable().optional(),
    }),
    allowedIntegrations: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .meta({ description: 'Integration keys the page offers; leave out for every enabled integration.' }),
    connectionId: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .meta({ description: 'Reconnect this connection (same end user) instead of creating one.' }),
    allowedOrigin: z.string().max(300).nullable().optional().meta({
      description: 'The origin of your page that opens the connect popup, e.g. `https://app.example.com`.',
    }),
    ttlSeconds: z.number().int().min(60).max(86_400).optional().meta({ description: 'Default 1800.' }),
  }),
  status: 201,
  response: z
    .object({
      id: z.string().meta({ example: 'cs_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
      token: z.string().meta({ description: 'The session token (`pb_cst_…`). Shown once.' }),
      expiresAt: timestamp,
      url: z.string().meta({ description: 'The connect page for this session.' }),
      locked: z
        .array(
          z.object({
            integrationKey: z.string(),
            code: z.enum(['plan_upgrade_required', 'plan_limit_reached']),
            details: z
              .unknown()
              .meta({ description: 'The limit, the usage and `requiredPlan`, as in the 403 error.' }),
          }),
        )
        .optional()
        .meta({
          description:
            "Integrations the end user's plan keeps the session from offering; present only when the environment has plans.",
        }),
    })
    .meta({ id: 'CreatedConnectSession' }),
  errors: ['not_found', 'plan_upgrade_required', 'plan_limit_reached'],
});

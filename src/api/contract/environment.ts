import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { timestamp } from './schemas.ts';

/** An environment as the API shows it. */
export const environmentSchema = z
  .object({
    id: z.string().meta({ example: 'env_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    name: z.string().meta({ example: 'dev' }),
    createdAt: timestamp,
  })
  .meta({ id: 'Environment', description: 'A deployment context (dev, prod) with its own keys and data.' });

/** The environment of the API key making the request. */
export const getEnvironment = defineOperation({
  id: 'getEnvironment',
  method: 'GET',
  path: '/v1/environment',
  summary: 'Get the environment of the calling API key',
  tag: 'Environment',
  auth: 'apiKey',
  status: 200,
  response: environmentSchema,
  errors: [],
});

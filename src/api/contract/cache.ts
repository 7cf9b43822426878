import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { idParam } from './schemas.ts';

export const invalidateConnectionCache = defineOperation({
  id: 'invalidateConnectionCache',
  method: 'DELETE',
  path: '/v1/connections/:id/cache',
  summary: "Invalidate a connection's cached provider answers",
  description:
    'Removes the GET answers scripts cached for this connection: all of them, or those whose provider path (with its query) starts with `pathPrefix`, compared as plain, case-sensitive text. Later requests go to the provider again.',
  tag: 'Connections',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  query: z.strictObject({
    pathPrefix: z
      .string()
      .min(1)
      .max(2000)
      .regex(/^\//, {
        message: 'pathPrefix must start with "/": a path relative to the provider\'s base URL, e.g. /sales',
      })
      .optional()
      .meta({ description: 'Only entries whose path starts with this.', example: '/sales' }),
  }),
  status: 200,
  response: z.object({
    invalidated: z.number().int().meta({ description: 'How many cached answers were removed.' }),
  }),
  errors: ['not_found'],
});

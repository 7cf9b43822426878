import { z } from 'zod';
import { defineOperation } from './operation.ts';

/** Liveness: the process answers. Never touches the database. */
export const health = defineOperation({
  id: 'getHealth',
  method: 'GET',
  path: '/health',
  summary: 'Liveness check',
  description: 'Answers 200 while the process is running. Does not check dependencies; see /ready.',
  tag: 'System',
  auth: 'none',
  status: 200,
  response: z.object({ status: z.literal('ok'), version: z.string() }),
  errors: [],
});

/** Readiness: the database answers and its schema is current. */
export const ready = defineOperation({
  id: 'getReadiness',
  method: 'GET',
  path: '/ready',
  summary: 'Readiness check',
  description:
    'Answers 200 when the database is reachable and no migration is pending, else 503 `not_ready` whose details list what is missing.',
  tag: 'System',
  auth: 'none',
  status: 200,
  response: z.object({ status: z.literal('ready'), checks: z.array(z.string()) }),
  errors: ['not_ready'],
});

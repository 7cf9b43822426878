import { z } from 'zod';
import { environmentSchema } from './environment.ts';
import { defineOperation } from './operation.ts';
import { timestamp } from './schemas.ts';

/** The dashboard's signed-in session: where it acts and the CSRF token its writes send. */
export const dashboardSessionSchema = z
  .object({
    environment: environmentSchema,
    signedInWith: z.enum(['apiKey', 'operator']),
    operator: z.object({ id: z.string(), email: z.string() }).nullable(),
    environments: z
      .array(environmentSchema)
      .meta({ description: 'The environments this session may switch to (only its own for a key session).' }),
    csrfToken: z
      .string()
      .meta({ description: 'Send as `x-csrf-token` on every POST, PUT, PATCH and DELETE.' }),
    expiresAt: timestamp,
  })
  .meta({ id: 'DashboardSession' });

export const createDashboardSession = defineOperation({
  id: 'createDashboardSession',
  method: 'POST',
  path: '/v1/dashboard/session',
  summary: 'Sign in to the dashboard',
  description:
    'Exchanges an environment’s secret API key, or an operator’s email and password, for a session in an httpOnly, SameSite=Strict cookie. The key is not kept by the browser. Repeated failures lock the account and the client out for a while (429 `sign_in_locked`).',
  tag: 'Dashboard',
  auth: 'none',
  body: z.union([
    z.strictObject({ apiKey: z.string().min(1).max(200) }),
    z.strictObject({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1000) }),
  ]),
  status: 201,
  response: dashboardSessionSchema,
  errors: ['sign_in_failed', 'sign_in_locked'],
});

export const getDashboardSession = defineOperation({
  id: 'getDashboardSession',
  method: 'GET',
  path: '/v1/dashboard/session',
  summary: 'The dashboard session of the cookie',
  tag: 'Dashboard',
  auth: 'dashboardSession',
  status: 200,
  response: dashboardSessionSchema,
  errors: [],
});

export const switchDashboardEnvironment = defineOperation({
  id: 'switchDashboardEnvironment',
  method: 'PUT',
  path: '/v1/dashboard/session/environment',
  summary: 'Switch the dashboard session to another environment',
  description:
    'Operator sessions only: a session opened with an API key stays in that key’s environment (403).',
  tag: 'Dashboard',
  auth: 'dashboardSession',
  body: z.strictObject({ environmentId: z.string().min(1).max(100) }),
  status: 200,
  response: dashboardSessionSchema,
  errors: ['forbidden', 'not_found'],
});

export const deleteDashboardSession = defineOperation({
  id: 'deleteDashboardSession',
  method: 'DELETE',
  path: '/v1/dashboard/session',
  summary: 'Sign out of the dashboard',
  tag: 'Dashboard',
  auth: 'dashboardSession',
  status: 200,
  response: z.object({ signedOut: z.literal(true) }),
  errors: [],
});

export const getDashboardQueue = defineOperation({
  id: 'getDashboardQueue',
  method: 'GET',
  path: '/v1/dashboard/queue',
  summary: "The environment's queued work: backlog, running, delayed and dead jobs",
  description:
    'Jobs of the calling environment only (syncs, deliveries, inbound processing…). `oldestWaitingAt` is when the longest-waiting due job became due: its age is how far behind the workers are.',
  tag: 'Dashboard',
  auth: 'apiKey',
  status: 200,
  response: z
    .object({
      waiting: z.number().int(),
      running: z.number().int(),
      later: z.number().int(),
      dead: z.number().int(),
      oldestWaitingAt: timestamp.nullable(),
    })
    .meta({ id: 'QueueDepth' }),
  errors: [],
});

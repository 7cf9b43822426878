import type { FastifyReply } from 'fastify';
import type { EnvironmentsService } from '../../environments/index.ts';
import type { DashboardSession, OperatorsService } from '../../operators/index.ts';
import type { QueueDepth } from '../../queue/index.ts';
import { isoTime } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { requireDashboardSession, SESSION_COOKIE } from '../core/dashboard-auth.ts';
import { type RouteModule, route } from '../core/routes.ts';
import { presentEnvironment } from './environment.ts';

export interface DashboardRoutesDeps {
  operators: OperatorsService;
  /** The queue depth of an environment (the queue's store); without it the route is absent. */
  queueDepth?: ((environmentId: string) => Promise<QueueDepth>) | undefined;
  environments: Pick<EnvironmentsService, 'listEnvironments'>;
}

/**
 * `/v1/dashboard/session`: sign in (API key or operator account) for a cookie session, read it,
 * switch its environment, sign out. The cookie is httpOnly (no script reads it), SameSite=Strict
 * (no cross-site request carries it), on `/` so API calls send it, and Secure over HTTPS.
 */
export function dashboardRoutes(deps: DashboardRoutesDeps): RouteModule {
  const present = async (
    session: DashboardSession,
  ): Promise<ResponseOf<typeof contract.dashboard.session>> => ({
    environment: presentEnvironment(session.environment),
    signedInWith: session.operator ? 'operator' : 'apiKey',
    operator: session.operator ? { id: session.operator.id, email: session.operator.email } : null,
    environments: session.operator
      ? (await deps.environments.listEnvironments()).map(presentEnvironment)
      : [presentEnvironment(session.environment)],
    csrfToken: session.csrfToken,
    expiresAt: isoTime(session.expiresAt),
  });
  const setCookie = (reply: FastifyReply, token: string, expiresAt: number) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: 'auto',
      path: '/',
      expires: new Date(expiresAt),
    });

  const queueDepth = deps.queueDepth;
  return {
    name: 'dashboard',
    routes: [
      ...(queueDepth
        ? [
            route(contract.dashboard.queue, async ({ auth }) => {
              const depth = await queueDepth(auth.environment.id);
              return {
                waiting: depth.waiting,
                running: depth.running,
                later: depth.later,
                dead: depth.dead,
                oldestWaitingAt: depth.oldestWaitingSince === null ? null : isoTime(depth.oldestWaitingSince),
              };
            }),
          ]
        : []),
      route(contract.dashboard.signIn, async ({ body, request, reply }) => {
        const { session, token } = await deps.operators.signIn(body, request.ip);
        setCookie(reply, token, session.expiresAt);
        reply.header('cache-control', 'no-store');
        return present(session);
      }),
      route(contract.dashboard.session, async ({ request, reply }) => {
        reply.header('cache-control', 'no-store');
        return present(requireDashboardSession(request).session);
      }),
      route(contract.dashboard.switchEnvironment, async ({ body, request }) => {
        const { token } = requireDashboardSession(request);
        return present(await deps.operators.switchEnvironment(token, body.environmentId));
      }),
      route(contract.dashboard.signOut, async ({ request, reply }) => {
        const { token } = requireDashboardSession(request);
        await deps.operators.signOut(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' });
        return { signedOut: true as const };
      }),
    ],
  };
}

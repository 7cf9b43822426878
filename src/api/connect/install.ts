/**
 * Provider-initiated installs (Shopify style): the merchant installs the app from the provider's
 * admin, which opens `/connect/install/<integration id>?shop=…&hmac=…&timestamp=…`. Patchbay
 * verifies the query's HMAC and the shop domain, opens a short connect session for the shop (the
 * shop is the end user until the host maps it to one of its users), and sends the browser to the
 * provider's authorization page. The usual callback then creates the connection.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuthService } from '../../auth/types.ts';
import type { ConnectSessionsService } from '../../connect/types.ts';
import { isPatchbayError } from '../../errors/index.ts';
import type { IntegrationsService } from '../../integrations/types.ts';
import type { RouteModule } from '../index.ts';
import { callbackPage, setPageHeaders } from './flow-html.ts';

export interface ConnectInstallDeps {
  integrations: Pick<IntegrationsService, 'environmentOf' | 'resolve'>;
  sessions: Pick<ConnectSessionsService, 'create'>;
  auth: Pick<AuthService, 'verifyInstall' | 'startAuthorization'>;
  /** Where browsers reach Patchbay: the origin error pages name. */
  publicUrl: string;
}

/** The install session only has to last until the merchant approves at the provider. */
const INSTALL_SESSION_TTL_SECONDS = 600;

const PUBLIC = { schema: { hide: true }, config: { auth: 'none' } } as const;

export function connectInstallRoutes(deps: ConnectInstallDeps): RouteModule {
  return {
    name: 'connect-install',
    register(app: FastifyInstance) {
      app.get('/connect/install/:integrationId', PUBLIC, async (request, reply) => {
        const { integrationId } = request.params as { integrationId: string };
        const query = new URLSearchParams(request.url.includes('?') ? request.url.split('?')[1] : '');
        try {
          const environmentId = await deps.integrations.environmentOf(integrationId);
          const integration = await deps.integrations.resolve(environmentId, integrationId);
          const { connectionConfig } = deps.auth.verifyInstall(integration, query);
          const shop = Object.values(connectionConfig)[0] ?? '';
          const { session } = await deps.sessions.create(environmentId, {
            endUser: { id: shop },
            allowedIntegrations: [integration.key],
            ttlSeconds: INSTALL_SESSION_TTL_SECONDS,
          });
          const start = await deps.auth.startAuthorization({ session, integration, connectionConfig });
          reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
          return reply.redirect(start.authorizationUrl, 302);
        } catch (error) {
          if (!isPatchbayError(error) || error.status >= 500) throw error;
          return errorPage(reply, deps.publicUrl, error.status, error.code, error.message);
        }
      });
    },
  };
}

function errorPage(reply: FastifyReply, publicUrl: string, status: number, code: string, message: string) {
  setPageHeaders(reply, "'none'");
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(callbackPage({ status: 'error', code, message }, new URL(publicUrl).origin));
}

/**
 * `GET|POST /webhooks/<environment id>/<integration key>[/<url token>]`: where providers deliver.
 * The body is read as raw bytes, whatever its content type, and handed to the inbound intake
 * (src/inbound/intake.ts) untouched; its answer is sent as it says.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ArrivedRequest, Intake, IntakeParams } from '../../inbound/intake.ts';
import type { RouteModule } from '../core/routes.ts';

const PREFIX = '/webhooks';

export function webhookRoutes(intake: Intake): RouteModule {
  return {
    name: 'inbound-intake',
    register(app: FastifyInstance) {
      // Encapsulated: the raw-bytes parser applies to the intake only; the API keeps its JSON parser.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser(
        '*',
        { parseAs: 'buffer', bodyLimit: intake.bodyLimit },
        (_request, body, done) => done(null, body),
      );
      app.addHook('onError', async (request, _reply, error) => {
        // Refused before the handler ran (body over the limit): the provider is not known yet.
        if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          intake.refusedEarly('payload_too_large', request.log);
        }
      });
      for (const url of [
        `${PREFIX}/:environmentId/:integrationKey`,
        `${PREFIX}/:environmentId/:integrationKey/:token`,
      ]) {
        app.route({
          method: ['GET', 'POST'],
          url,
          bodyLimit: intake.bodyLimit,
          schema: { hide: true },
          config: { auth: 'none' },
          handler: async (request, reply) => {
            const answer = await intake.receive(
              request.params as IntakeParams,
              arrived(request),
              request.log,
            );
            reply.code(answer.status);
            if (answer.contentType) reply.type(answer.contentType);
            return reply.send(answer.body);
          },
        });
      }
    },
  };
}

function arrived(request: FastifyRequest): ArrivedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const body = request.body;
  return {
    method: request.method,
    url: request.url,
    headers,
    rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
  };
}

/**
 * `/proxy/*`: the HTTP face of the proxy. A host backend calls `ANY /proxy/<provider path>` with
 * its API key and `patchbay-connection-id: conn_…`; the connection determines the integration
 * and the credentials. The method, path, query, body and headers go to the provider (minus
 * hop-by-hop headers, `authorization` and `patchbay-*`), and the provider's answer streams back
 * with its status and headers (minus hop-by-hop headers and cookies). Bodies are streamed both
 * ways, never buffered.
 */
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireAuth } from '../api/core/request-auth.ts';
import type { RouteModule } from '../api/core/routes.ts';
import { PatchbayError } from '../errors/index.ts';
import { parseId } from '../ids/index.ts';
import { takeNodeBody } from './caller.ts';
import { clientHeadersForProvider, forwardableResponseHeaders } from './headers.ts';
import type { ProxyClient } from './types.ts';

export const CONNECTION_HEADER = 'patchbay-connection-id';

const PREFIX = '/proxy';

export function proxyRoutes(deps: { proxy: ProxyClient }): RouteModule {
  return {
    name: 'proxy',
    register(app: FastifyInstance) {
      // This plugin is encapsulated: the raw-stream parser applies to /proxy/* only, the rest of
      // the API keeps reading JSON alone. Any content type passes through unread.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
      app.all(`${PREFIX}/*`, { schema: { hide: true } }, (request, reply) =>
        forward(deps.proxy, request, reply),
      );
    },
  };
}

async function forward(
  proxy: ProxyClient,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const auth = requireAuth(request);
  const connectionId = connectionIdOf(request);
  const method = request.method.toUpperCase();
  // The path and query exactly as the client encoded them (Fastify's params are decoded).
  const path = request.url.slice(PREFIX.length) || '/';
  const hasBody =
    method !== 'GET' && method !== 'HEAD' && request.body !== undefined && request.body !== null;

  // A client that goes away cancels the provider call.
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) abort.abort();
  });

  const response = await proxy.request(auth.environment.id, connectionId, {
    method,
    path,
    headers: clientHeadersForProvider(request.headers),
    ...(hasBody ? { body: relay(request.body as Readable) } : {}),
    signal: abort.signal,
  });
  const headers = forwardableResponseHeaders(response.headers);
  // Our request id stays the one that identifies this call in Patchbay's logs.
  delete headers['x-request-id'];
  reply.code(response.status).headers(headers);
  // The Node stream straight from the HTTP client when the caller made this response (not a
  // web stream converted there and back); a web body otherwise.
  const body = takeNodeBody(response);
  if (method === 'HEAD' || response.status === 204 || response.status === 304) {
    if (body) discard(body);
    else await response.body.cancel().catch(() => {});
    return reply.send();
  }
  return reply.send(body ?? Readable.fromWeb(response.body as never));
}

/** Destroying an unfinished HTTP client body emits an abort error: expected here, not a fault. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function connectionIdOf(request: FastifyRequest): string {
  const value = request.headers[CONNECTION_HEADER];
  if (typeof value !== 'string' || value === '') {
    throw new PatchbayError(
      'proxy_header_missing',
      `Send the connection to act for in the ${CONNECTION_HEADER} header (conn_…)`,
      { details: { header: CONNECTION_HEADER } },
    );
  }
  return parseId('connection', value);
}

/**
 * The request body as a stream of its own: the HTTP client destroys the stream it sent once it is
 * done, and destroying the incoming request itself would take the connection (and our answer on
 * it) down too.
 */
function relay(source: Readable): Readable {
  const upload = new PassThrough();
  source.once('error', (error) => upload.destroy(error));
  source.pipe(upload);
  return upload;
}

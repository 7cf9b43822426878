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
import { PatchbayError } from '../../errors/index.ts';
import { parseId } from '../../ids/index.ts';
import { takeNodeBody } from '../../proxy/caller.ts';
import { clientHeadersForProvider, forwardableResponseHeaders } from '../../proxy/headers.ts';
import type { ProxyClient } from '../../proxy/types.ts';
import { requireAuth } from '../core/request-auth.ts';
import type { RouteModule } from '../core/routes.ts';
import { proxyOpenApiPaths } from './proxy-openapi.ts';

export const CONNECTION_HEADER = 'patchbay-connection-id';

const PREFIX = '/proxy';

/** Provider answers up to this declared length are sent in one piece (see above). */
export const SMALL_ANSWER_BYTES = 64 * 1024;

export function proxyRoutes(deps: { proxy: ProxyClient }): RouteModule {
  return {
    name: 'proxy',
    openApiPaths: proxyOpenApiPaths,
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
  // Our request id stays the one that identifies this call in Patchbay's logs.
  const headers = forwardableResponseHeaders(response.headers, 'x-request-id');
  reply.code(response.status).headers(headers);
  // The Node stream straight from the HTTP client when the caller made this response (not a
  // web stream converted there and back); a web body otherwise.
  const body = takeNodeBody(response);
  if (method === 'HEAD' || response.status === 204 || response.status === 304) {
    if (body) discard(body);
    else await response.body.cancel().catch(() => {});
    return reply.send();
  }
  if (body) {
    // Fastify would give a Buffer without a content type one of its own: such answers stream.
    const length = headers['content-type'] === undefined ? null : smallLength(headers['content-length']);
    if (length !== null) return reply.send(await readWhole(body, length));
    return reply.send(body);
  }
  return reply.send(Readable.fromWeb(response.body as never));
}

/** The declared content length when it is small enough to send in one piece, else null. */
function smallLength(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,6}$/.test(header)) return null;
  const length = Number(header);
  return length <= SMALL_ANSWER_BYTES ? length : null;
}

/**
 * The whole body of `length` bytes. undici fails the stream when the provider sends more or fewer
 * bytes than it declared (or stalls past the body timeout, or the client cancels); that failure
 * becomes this call's error, as nothing has been sent to the client yet.
 */
function readWhole(body: Readable, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > length) {
        discard(body);
        reject(providerBodyError(new Error('more bytes than the declared content-length')));
        return;
      }
      chunks.push(chunk);
    });
    body.once('error', (error) => reject(providerBodyError(error)));
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)));
  });
}

function providerBodyError(cause: unknown): PatchbayError {
  const code = (cause as { code?: unknown }).code;
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new PatchbayError('provider_timeout', 'The provider did not finish its answer in time', { cause });
  }
  return new PatchbayError('provider_unreachable', 'The provider’s answer broke off before its end', {
    details: { reason: typeof code === 'string' ? code : 'network_error' },
    cause,
  });
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

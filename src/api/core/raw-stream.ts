import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Starts a long-lived answer written outside Fastify's reply cycle (Server-Sent Events): hijacks
 * the reply and sends the status and headers at once, with the headers set so far (request id,
 * rate limits). Returns the raw response to write the body to, or null for a HEAD request, which
 * is answered here with the same headers and no body.
 *
 * Every streaming route goes through this. Fastify answers HEAD with the GET handler, and Node
 * sends a HEAD answer's headers only when the response ends (it drops body writes); a stream that
 * never ends would leave a HEAD request without any answer.
 */
export function startRawStream(
  request: FastifyRequest,
  reply: FastifyReply,
  headers: Record<string, string>,
): ServerResponse | null {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), ...headers });
  if (request.method === 'HEAD') {
    raw.end();
    return null;
  }
  return raw;
}

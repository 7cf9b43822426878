/**
 * Requests that never reach a route: Node's HTTP parser refuses them (bad or duplicate
 * Content-Length, Content-Length with chunked, bad chunks, NUL bytes, obs-fold, bare LF, bytes
 * outside the URL grammar, headers over the size limit, a request not finished in time) and emits
 * `clientError` on the socket. They are answered here in the API's error model like any other
 * bad request, with a fresh request id, and the connection is closed: after a framing error the
 * rest of the byte stream cannot be trusted to start a request.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, PatchbayError } from '../../errors/index.ts';
import { newId } from '../../ids/index.ts';
import type { Logger } from '../../logger/index.ts';
import { errorBody } from './errors.ts';

/** What Node's parser reports: `code` (`HPE_…`, `ERR_HTTP_REQUEST_TIMEOUT`…) and `reason`. */
export interface ParserError extends Error {
  code?: string;
  reason?: string;
}

interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
}

/** The answer to a parser error: its status, stable code and a message a person can act on. */
export function clientErrorRefusal(error: ParserError): Refusal {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      code: 'headers_too_large',
      message: 'The request line and headers are over the 16 KiB limit; send fewer or shorter headers',
    };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      code: 'request_timeout',
      message: 'The request was not received in time; send it again',
    };
  }
  // llhttp's reasons are fixed strings ("Duplicate Content-Length"…) that never echo the input.
  const reason =
    typeof error.reason === 'string' && /^[\w .,'`-]{1,100}$/.test(error.reason) ? error.reason : null;
  return {
    status: 400,
    code: 'invalid_request',
    message: `The request is not valid HTTP/1.1${reason ? ` (${reason})` : ''}; fix how it is framed and send it again`,
  };
}

/** The raw HTTP answer for `refusal`: JSON in the error model, a request id, the connection closing. */
export function clientErrorResponse(refusal: Refusal, requestId: string): string {
  const body = JSON.stringify(errorBody(refusal.code, refusal.message, requestId));
  return [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The `clientError` listener (Fastify's `clientErrorHandler`). */
export function createClientErrorHandler(logger: Logger): (error: ParserError, socket: Socket) => void {
  return (error, socket) => {
    // The peer is gone: nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const refusal = clientErrorRefusal(error);
    const requestId = newId('request');
    logger.info(
      { requestId, statusCode: refusal.status, errorCode: refusal.code, parserError: error.code },
      'malformed request refused',
    );
    // An answer may already be on the wire (the parser failed in the body of a request a route
    // has answered): ours cannot follow its bytes. As Node does, the socket is then closed.
    const inFlight = (socket as Socket & { _httpMessage?: { _headerSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?._headerSent) socket.write(clientErrorResponse(refusal, requestId));
    socket.destroy();
  };
}

/**
 * HTTP/1.1 requests carry exactly one Host header (RFC 9112 §3.2). Node answers a missing one
 * itself, with an empty 400 outside the error model, and lets a repeated one through, so the
 * server is built without Node's check (`requireHostHeader: false`) and this `onRequest` hook
 * refuses both, before authentication. HTTP/1.0 requests need none.
 */
export async function refuseAmbiguousHost(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw = request.raw;
  if (raw.httpVersionMajor !== 1 || raw.httpVersionMinor < 1) return;
  let hosts = 0;
  for (let i = 0; i < raw.rawHeaders.length; i += 2) {
    if (raw.rawHeaders[i]!.toLowerCase() === 'host') hosts += 1;
  }
  if (hosts === 1) return;
  reply.header('connection', 'close');
  throw new PatchbayError(
    'invalid_request',
    hosts === 0 ? 'An HTTP/1.1 request needs a Host header' : 'Send one Host header, not several',
  );
}

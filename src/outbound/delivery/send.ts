/**
 * Sends one delivery request and reduces whatever happens to the facts an attempt records: the
 * status, the start of the response body, the duration and, when no response came, an error code.
 *
 * Through the guarded dispatcher only (src/net): its connector resolves the host and refuses
 * private, loopback, link-local and metadata addresses at every connect, so a host whose DNS
 * answer changed since the last attempt is checked again. `dispatcher.request` never follows
 * redirects: a 3xx is an answer like any other.
 */
import type { Dispatcher } from 'undici';
import { isPatchbayError } from '../../errors/index.ts';
import type { DeliveryRequest } from './request.ts';

/** Why an attempt got no response. */
export type TransportErrorCode = 'timeout' | 'network_error' | 'ssrf_blocked';

export interface SendResult {
  /** Null when no response came. */
  status: number | null;
  /** The lower-cased response headers the outcome depends on. */
  retryAfter: string | undefined;
  location: string | undefined;
  /** At most the body limit, as text; null when no response came. */
  body: string | null;
  durationMs: number;
  errorCode: TransportErrorCode | null;
  errorMessage: string | null;
}

export interface SendOptions {
  /** The whole attempt — connect, headers and body — must fit in this. */
  timeoutMs: number;
  /** Bytes of the response body kept for the delivery log. */
  bodyLimit: number;
  /** The job's signal: when it aborts (worker stopping, lease lost), the send throws its reason. */
  signal?: AbortSignal;
}

/**
 * Past the kept part, a body is read and discarded up to this much more so that the connection can
 * be reused; a receiver sending more than that gets its connection closed instead.
 */
const DISCARD_LIMIT = 256 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export async function sendDelivery(
  dispatcher: Dispatcher,
  request: DeliveryRequest,
  options: SendOptions,
): Promise<SendResult> {
  const url = new URL(request.url);
  // One controller for the attempt's deadline and the job's signal, with a plain timer: per
  // attempt, AbortSignal.timeout and AbortSignal.any cost several times more (weak references
  // and finalizers on every composite signal).
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The delivery attempt timed out', 'TimeoutError'));
  }, options.timeoutMs);
  const jobSignal = options.signal;
  const onJobAbort = () => controller.abort(jobSignal?.reason);
  if (jobSignal?.aborted) onJobAbort();
  else jobSignal?.addEventListener('abort', onJobAbort, { once: true });
  // Elapsed time is a measurement, not logic: it comes from the monotonic clock.
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
    } catch (error) {
      if (jobSignal?.aborted) throw jobSignal.reason;
      return { ...noResponse(error, timedOut, options.timeoutMs), durationMs: elapsed() };
    }
    // The status is the answer; a body cut short by the timeout only shortens the log.
    const body = await readStart(response.body, options.bodyLimit);
    if (jobSignal?.aborted) throw jobSignal.reason;
    return {
      status: response.statusCode,
      retryAfter: header(response.headers, 'retry-after'),
      location: header(response.headers, 'location'),
      body,
      durationMs: elapsed(),
      errorCode: null,
      errorMessage: null,
    };
  } finally {
    clearTimeout(timer);
    jobSignal?.removeEventListener('abort', onJobAbort);
  }
}

function noResponse(error: unknown, timedOut: boolean, timeoutMs: number): Omit<SendResult, 'durationMs'> {
  const empty = { status: null, retryAfter: undefined, location: undefined, body: null };
  const code = (error as { code?: unknown } | null)?.code;
  if (timedOut || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return { ...empty, errorCode: 'timeout', errorMessage: `No response within ${timeoutMs} ms` };
  }
  if (isPatchbayError(error, 'ssrf_blocked')) {
    return { ...empty, errorCode: 'ssrf_blocked', errorMessage: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ...empty, errorCode: 'network_error', errorMessage: message.slice(0, 500) };
}

/**
 * The first `limit` bytes of a body as text; the rest is drained (bounded) so the socket is reused.
 * Read with 'data' events rather than `for await`: an async iterator per attempt costs more than
 * the typical webhook answer (a few bytes) takes to read.
 */
function readStart(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let seen = 0;
    const finish = () => {
      body.off('data', onData);
      body.off('end', finish);
      body.off('close', finish);
      // PostgreSQL text cannot hold NUL characters; a receiver's binary answer is logged without them.
      resolve(Buffer.concat(kept).toString('utf8').replaceAll('\u0000', ''));
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (keptBytes < limit) {
        const part = chunk.subarray(0, limit - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      // Past the bound the stream is destroyed, which closes this connection.
      if (seen > limit + DISCARD_LIMIT) {
        finish();
        body.destroy();
      }
    };
    body.on('data', onData);
    body.once('end', finish);
    // Aborted by the timeout or reset by the receiver: what was read is still worth logging. The
    // listener stays: an error after the end must not go unhandled.
    body.on('error', finish);
    body.once('close', finish);
  });
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

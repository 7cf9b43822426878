/**
 * What every answer must satisfy, whatever was asked: no 5xx, a request id header, and every
 * 4xx in the error model with one of the engine's stable codes, answered with that code's status.
 * The connect pages are for browsers: their errors are HTML pages that carry the code in a
 * `data-error-code` attribute, held to the same codes.
 */
import { ERROR_STATUS } from '../../src/errors/codes.ts';
import type { FuzzResponse } from './send.ts';

/** The stable code of an error answer, or undefined. */
export function errorCodeOf(response: FuzzResponse): string | undefined {
  if (isHtml(response)) return /data-error-code="([^"]*)"/.exec(response.body)?.[1];
  try {
    const code = (JSON.parse(response.body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The ways `response` breaks the API's promises; empty when it keeps them. */
export function violations(method: string, response: FuzzResponse): string[] {
  const found: string[] = [];
  const requestId = response.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') found.push('no x-request-id header');
  if (response.status >= 500) found.push(`status ${response.status} (a 5xx)`);
  if (response.status >= 400 && method !== 'HEAD') found.push(...errorBodyViolations(response, requestId));
  return found;
}

function isHtml(response: FuzzResponse): boolean {
  return String(response.headers['content-type'] ?? '').startsWith('text/html');
}

function errorBodyViolations(response: FuzzResponse, requestId: unknown): string[] {
  if (isHtml(response)) return codeViolations(errorCodeOf(response), response.status);
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return [`a ${response.status} whose body is not JSON`];
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return [`a ${response.status} without {error:{…}}`];
  const found = codeViolations(error.code, response.status);
  if (typeof error.message !== 'string' || error.message === '') found.push('error without a message');
  if (error.requestId !== requestId) found.push('error.requestId differs from the x-request-id header');
  return found;
}

function codeViolations(code: unknown, status: number): string[] {
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_STATUS, code)) {
    return [`error code ${JSON.stringify(code)} is not one of the engine's stable codes`];
  }
  const expected = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
  return expected === status
    ? []
    : [`error code ${code} answered with status ${status}, not its ${expected}`];
}

import type { ErrorCode } from '../../src/errors/codes.ts';

/**
 * Codes the SDK itself reports: when no API answer could be read, or (`wait_timeout`) when a
 * `wait()` helper gave up before the run it polls finished.
 */
export type ClientErrorCode = 'network_error' | 'invalid_response' | 'wait_timeout';

/**
 * Every failure of an API call. Branch on `code`: it is the API's stable error code
 * (`not_found`, `invalid_api_key`, `rate_limited`, …), or `network_error` when the server could
 * not be reached, or `invalid_response` when its answer was not the API's.
 */
export class PatchbayApiError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode | ClientErrorCode;
  /** The HTTP status; 0 when no answer arrived (or for `wait_timeout`). */
  readonly status: number;
  /** Structured details from the API (e.g. the fields that failed validation). */
  readonly details: unknown;
  /** The request id to quote when reporting a problem. */
  readonly requestId: string | undefined;
  /** Seconds to wait before retrying, from `Retry-After` (on `rate_limited`). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode | ClientErrorCode,
    message: string,
    options: { status: number; details?: unknown; requestId?: string; retryAfter?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'PatchbayApiError';
    this.code = code;
    this.status = options.status;
    this.details = options.details;
    this.requestId = options.requestId;
    this.retryAfter = options.retryAfter;
  }
}

/** True when `error` is a PatchbayApiError, optionally of the given code. */
export function isPatchbayApiError(
  error: unknown,
  code?: ErrorCode | ClientErrorCode,
): error is PatchbayApiError {
  return error instanceof PatchbayApiError && (code === undefined || error.code === code);
}

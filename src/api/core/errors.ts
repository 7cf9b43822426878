import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_STATUS, type ErrorCode, isPatchbayError } from '../../errors/index.ts';
import type { ErrorBody } from '../contract/index.ts';

/** An error turned into what the client sees. `unexpected` errors are logged with their stack. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  unexpected: boolean;
}

/** The body of an error response. */
export function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId } };
}

// Fastify's own errors for bad requests, mapped to our codes. Their messages are fixed strings
// that never echo input, so they are safe to pass on.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  invalid_json: 'The request body is not valid JSON.',
  unsupported_media_type: 'Send the request body as JSON with Content-Type: application/json.',
};

/**
 * The single mapping from anything thrown while handling a request to the API's error model.
 * Bad input is always a 4xx with a stable code; only faults of the engine are 5xx, and an
 * unexpected one says nothing about its cause (the log has it, under the same request id).
 */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  if (isPatchbayError(error)) {
    // Its message and details are written for the client (never the cause); a 5xx one is still
    // logged in full, except `not_ready`, which a starting instance answers to every probe.
    return {
      status: error.status,
      body: errorBody(error.code, error.message, requestId, error.details ?? undefined),
      unexpected: error.status >= 500 && error.code !== 'not_ready',
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const issues = error.validation.map((issue) => {
      const path = issue.instancePath.slice(1).split('/').filter(Boolean);
      // An unknown field is reported at its parent; name the field itself.
      const unknown = (issue.params as { keys?: unknown }).keys;
      if (issue.keyword === 'unrecognized_keys' && Array.isArray(unknown)) path.push(unknown.join(','));
      return { in: where, path: path.join('.'), message: issue.message ?? 'is invalid', code: issue.keyword };
    });
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    const message = first
      ? `Invalid ${describe(where)}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`
      : `Invalid ${describe(where)}`;
    return {
      status: 400,
      body: errorBody('validation_failed', message, requestId, { issues }),
      unexpected: false,
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  const status = fastifyError.statusCode;
  if (mapped || (status !== undefined && status >= 400 && status < 500)) {
    const code = mapped ?? STATUS_CODES[status!] ?? 'invalid_request';
    const message = MESSAGES[code] ?? fastifyError.message ?? 'The request is invalid.';
    return {
      status: mapped ? ERROR_STATUS[code] : status!,
      body: errorBody(code, message, requestId),
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: errorBody(
      'internal_error',
      `An unexpected error occurred. It has been logged; quote request id ${requestId} when reporting it.`,
      requestId,
    ),
    unexpected: true,
  };
}

function describe(where: string): string {
  switch (where) {
    case 'querystring':
      return 'query parameters';
    case 'params':
      return 'path parameters';
    case 'headers':
      return 'headers';
    default:
      return 'request body';
  }
}

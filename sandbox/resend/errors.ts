/**
 * Resend's error body (https://resend.com/docs/api-reference/errors): `{ statusCode, message,
 * name }`, where `name` is one of the documented error types (`validation_error`,
 * `missing_required_field`, `rate_limit_exceeded`…), the value the official SDK returns as
 * `error.name`.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';

/** The error types the emulator answers with, each with the status Resend documents for it. */
export const RESEND_ERRORS = {
  invalid_idempotency_key: 400,
  validation_error: 422,
  missing_required_field: 422,
  invalid_from_address: 422,
  invalid_parameter: 422,
  missing_api_key: 401,
  restricted_api_key: 401,
  invalid_api_key: 403,
  not_found: 404,
  method_not_allowed: 405,
  invalid_idempotent_request: 409,
  concurrent_idempotent_requests: 409,
  rate_limit_exceeded: 429,
  internal_server_error: 500,
} as const;

export type ResendErrorName = keyof typeof RESEND_ERRORS;

/** A refusal a handler throws; the server turns it into Resend's body. */
export class ResendRefusal extends Error {
  readonly errorName: ResendErrorName;
  readonly status: number;

  constructor(name: ResendErrorName, message: string, status: number = RESEND_ERRORS[name]) {
    super(message);
    this.errorName = name;
    this.status = status;
  }
}

export function sendResendError(
  res: ServerResponse,
  refusal: ResendRefusal,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(
    res,
    refusal.status,
    { statusCode: refusal.status, message: refusal.message, name: refusal.errorName },
    headers,
  );
}

/** A JSON request body; Resend refuses one that does not parse with `validation_error`. */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ResendRefusal('validation_error', 'The request body is not valid JSON.');
  }
}

/**
 * Stripe's error object: `{ error: { type, code, param, message, doc_url } }` with Stripe's status
 * codes (400 bad parameters, 401 bad key, 402 declined payment, 403 account access, 404 missing
 * object, 409 idempotency key in use, 429 rate limit, 500 Stripe's fault). Handlers throw
 * `StripeApiError`; the request pipeline turns it into the answer.
 */

/** The error types Stripe documents for API v1. */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorOptions {
  code?: string;
  param?: string;
  /** Card errors: the issuer's reason, e.g. `generic_decline`. */
  declineCode?: string;
  /** Further fields of the error object (`charge`, `payment_intent` on card errors). */
  extra?: Record<string, unknown>;
}

/** The error body Stripe sends. */
export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    message: string;
    code?: string;
    param?: string;
    decline_code?: string;
    doc_url?: string;
    [field: string]: unknown;
  };
}

export class StripeApiError extends Error {
  readonly status: number;
  readonly type: StripeErrorType;
  readonly options: StripeErrorOptions;

  constructor(status: number, type: StripeErrorType, message: string, options: StripeErrorOptions = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.options = options;
  }

  get code(): string | undefined {
    return this.options.code;
  }

  /** The JSON body; `doc_url` points at Stripe's page for the code, as Stripe's own answers do. */
  body(): StripeErrorBody {
    const { code, param, declineCode, extra } = this.options;
    return {
      error: {
        ...extra,
        ...(code === undefined ? {} : { code, doc_url: docUrl(code) }),
        ...(declineCode === undefined ? {} : { decline_code: declineCode }),
        message: this.message,
        ...(param === undefined ? {} : { param }),
        type: this.type,
      },
    };
  }
}

/** `https://stripe.com/docs/error-codes/resource-missing` for `resource_missing`. */
export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;
}

/** 400 for a request Stripe refuses as malformed or not allowed in the object's state. */
export function invalidRequest(message: string, options: StripeErrorOptions = {}): StripeApiError {
  return new StripeApiError(400, 'invalid_request_error', message, options);
}

export function parameterMissing(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

export function parameterUnknown(param: string): StripeApiError {
  return invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });
}

/** 404 `resource_missing`: "No such customer: 'cus_…'". `status` 400 when the id came as a list cursor. */
export function noSuch(what: string, id: string, param = 'id', status = 404): StripeApiError {
  return new StripeApiError(status, 'invalid_request_error', `No such ${what}: '${id}'`, {
    code: 'resource_missing',
    param,
  });
}

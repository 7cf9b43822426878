/**
 * Calls to SendGrid's v3 API from the SendGrid scripts, through the connection's proxy (which
 * adds the key, and waits out a 429 until `X-RateLimit-Reset` before retrying): JSON in and out,
 * and SendGrid's error body (`{ errors: [{ message, field, help }] }`,
 * https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors)
 * turned into a `PatchbayError` — `provider_error` with the first error's `field` as
 * `details.code` (SendGrid has no error codes) and every error in `details.errors`, or
 * `rate_limited` when SendGrid still answers 429 after the proxy's retries.
 */
import { PatchbayError, type ProviderResponse, type ScriptContext } from '../../src/scripts/index.ts';

export interface SendGridRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below the definition's base (`https://api.sendgrid.com/v3`): `/mail/send`. */
  path: string;
  body?: unknown;
}

export interface SendGridErrorDetails {
  status: number;
  /** The field of SendGrid's first error (`personalizations.0.to.0.email`); null for errors about none. */
  code: string | null;
  errors: Array<{ field: string | null; message: string }>;
  retryAfterSeconds?: number;
}

/** Sends one request; answers the response (its body not read) when 2xx, else throws. */
export async function sendgridCall(ctx: ScriptContext, request: SendGridRequest): Promise<ProviderResponse> {
  const response = await ctx.proxy.request({
    method: request.method,
    path: request.path,
    ...(request.body === undefined ? {} : { body: { json: request.body } }),
    signal: ctx.signal,
  });
  if (response.status >= 200 && response.status <= 299) return response;
  throw await sendgridError(request, response);
}

/** Sends one request and answers its parsed JSON (`{}` for an empty body). */
export async function sendgridJson<T>(ctx: ScriptContext, request: SendGridRequest): Promise<T> {
  const response = await sendgridCall(ctx, request);
  const text = await response.text();
  try {
    return (text === '' ? {} : JSON.parse(text)) as T;
  } catch (cause) {
    throw new PatchbayError(
      'provider_response_invalid',
      `SendGrid answered ${request.method} ${request.path} with ${response.status} and a body that is not JSON`,
      { details: { status: response.status }, cause },
    );
  }
}

async function sendgridError(request: SendGridRequest, response: ProviderResponse): Promise<PatchbayError> {
  const text = await response.text();
  let errors: SendGridErrorDetails['errors'] = [];
  try {
    const body = JSON.parse(text) as { errors?: Array<{ field?: unknown; message?: unknown }> };
    errors = (body.errors ?? []).map((error) => ({
      field: typeof error.field === 'string' ? error.field : null,
      message: typeof error.message === 'string' ? error.message : '',
    }));
  } catch {
    // Not SendGrid's error body (a proxy's page): the status says enough.
  }
  const first = errors[0];
  const said =
    errors.length > 0
      ? errors.map((error) => (error.field ? `${error.field}: ${error.message}` : error.message)).join('; ')
      : `status ${response.status}`;
  if (response.status === 429) {
    const reset = Number(response.headers['x-ratelimit-reset']);
    const details: SendGridErrorDetails = {
      status: 429,
      code: null,
      errors,
      ...(Number.isFinite(reset)
        ? { retryAfterSeconds: Math.max(0, reset - Math.floor(Date.now() / 1000)) }
        : {}),
    };
    return new PatchbayError(
      'rate_limited',
      `SendGrid's rate limit held ${request.method} ${request.path}: ${said}`,
      { details },
    );
  }
  const details: SendGridErrorDetails = { status: response.status, code: first?.field ?? null, errors };
  return new PatchbayError('provider_error', `SendGrid refused ${request.method} ${request.path}: ${said}`, {
    details,
  });
}

import type { Operation, RequestOf, ResponseOf } from '../../src/api/contract/index.ts';
import { PatchbayApiError } from './errors.ts';

/** How the client reaches the API. */
export interface Transport {
  baseUrl: string;
  apiKey: string;
  fetch: typeof globalThis.fetch;
}

/**
 * Performs one contract operation: fills the path, query and JSON body from `input`, sends the
 * key (and `extraHeaders`, e.g. `idempotency-key`), and returns the parsed answer or throws
 * PatchbayApiError with the API's error code.
 */
export async function callOperation<O extends Operation>(
  transport: Transport,
  operation: O,
  input: RequestOf<O>,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<ResponseOf<O>> {
  const url = buildUrl(transport.baseUrl, operation.path, input);
  const headers: Record<string, string> = {
    ...extraHeaders,
    accept: 'application/json',
    authorization: `Bearer ${transport.apiKey}`,
  };
  let body: string | undefined;
  if (input.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(input.body);
  }
  let response: Response;
  try {
    response = await transport.fetch(url, {
      method: operation.method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
  } catch (cause) {
    throw new PatchbayApiError('network_error', `Cannot reach the Patchbay API at ${transport.baseUrl}`, {
      status: 0,
      cause,
    });
  }
  const text = await response.text();
  if (response.ok) {
    if (text === '') return undefined as ResponseOf<O>;
    try {
      return JSON.parse(text) as ResponseOf<O>;
    } catch (cause) {
      throw invalidResponse(response, cause);
    }
  }
  throw toApiError(response, text);
}

function buildUrl(baseUrl: string, path: string, input: { params?: unknown; query?: unknown }): string {
  const params = (input.params ?? {}) as Record<string, string | number>;
  const filled = path.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  });
  const url = new URL(filled.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [name, value] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  return url.toString();
}

function toApiError(response: Response, text: string): PatchbayApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    return invalidResponse(response, cause);
  }
  const error = (parsed as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string')
    return invalidResponse(response);
  const retryAfter = Number(response.headers.get('retry-after'));
  return new PatchbayApiError(error.code as PatchbayApiError['code'], error.message, {
    status: response.status,
    details: error.details,
    ...(typeof error.requestId === 'string' ? { requestId: error.requestId } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}),
  });
}

function invalidResponse(response: Response, cause?: unknown): PatchbayApiError {
  return new PatchbayApiError(
    'invalid_response',
    `Unexpected answer from the Patchbay API (HTTP ${response.status}); check the baseUrl`,
    {
      status: response.status,
      cause,
      ...(response.headers.get('x-request-id') ? { requestId: response.headers.get('x-request-id')! } : {}),
    },
  );
}

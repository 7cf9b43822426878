/**
 * The dashboard's API client: the class generated from /openapi.json (./client.ts), calling the
 * engine on the same origin with the session cookie. Writes carry the session's CSRF token; a
 * failed call rejects with an ApiFailure holding the API's error code and message.
 */
import { Api, type ApiError } from './client.ts';

let csrfToken: string | null = null;

/** Remembers the signed-in session's CSRF token (in memory only) for the following writes. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A call the API answered with an error (or that did not reach it). */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}

async function sameOriginFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  if (!SAFE_METHODS.has(method) && csrfToken) headers.set('x-csrf-token', csrfToken);
  try {
    return await fetch(input, { ...init, headers, credentials: 'same-origin' });
  } catch {
    throw new ApiFailure(0, 'network_error', 'Patchbay did not answer: check that the engine is running');
  }
}

/** The typed client; every method resolves to the response body or rejects with an ApiFailure. */
export const api = new Api({ baseUrl: '', customFetch: sameOriginFetch });

/** Runs one client call, turning the generated client's rejection into an ApiFailure. */
export async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (rejection) {
    if (rejection instanceof ApiFailure) throw rejection;
    const response = rejection as { status?: number; error?: ApiError | null };
    const error = response.error?.error;
    throw new ApiFailure(
      response.status ?? 0,
      error?.code ?? 'unexpected_response',
      error?.message ?? `The API answered ${response.status ?? 'nothing'}`,
    );
  }
}

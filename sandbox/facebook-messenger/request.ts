/**
 * Reading a Graph API request the way Graph does: an optional version prefix (`/v23.0/…`, any
 * `vNN.N`), parameters from the query string and from a JSON or form body alike, object
 * parameters given as JSON strings in forms (the Send API reference's curl example even uses
 * single quotes), and the access token from the `access_token` parameter or the
 * `Authorization: Bearer|OAuth` header.
 */
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, isFormEncoded, readBody } from '../http/respond.ts';
import { type GraphError, GraphErrors } from './graph-errors.ts';

export interface GraphRequest {
  readonly method: string;
  /** `v23.0`, or null for an unversioned call. */
  readonly version: string | null;
  /** Path segments after the version: `['me', 'messages']`. */
  readonly segments: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly token: string | undefined;
}

const VERSION = /^v\d+\.\d+$/;

/** Splits a path into its Graph version and segments. */
export function graphPath(pathname: string): { version: string | null; segments: string[] } {
  const segments = pathname
    .split('/')
    .filter((part) => part.length > 0)
    .map(decodeSegment);
  const version =
    segments[0] !== undefined && VERSION.test(segments[0]) ? (segments.shift() as string) : null;
  return { version, segments };
}

export async function readGraphRequest(
  req: IncomingMessage,
  url: URL,
): Promise<{ ok: true; request: GraphRequest } | { ok: false; error: GraphError }> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return { ok: false, error: GraphErrors.invalidParameter(error.message) };
    throw error;
  }
  if (raw.length > 0) {
    const text = raw.toString('utf8');
    if (isFormEncoded(req)) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(text)));
    } else {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { ok: false, error: GraphErrors.invalidParameter('Invalid JSON in the request body') };
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return { ok: false, error: GraphErrors.invalidParameter('The request body must be a JSON object') };
      }
      Object.assign(params, body);
    }
  }
  const { version, segments } = graphPath(url.pathname);
  return {
    ok: true,
    request: {
      method: (req.method ?? 'GET').toUpperCase(),
      version,
      segments,
      params,
      token: tokenOf(req, params),
    },
  };
}

function tokenOf(req: IncomingMessage, params: Record<string, unknown>): string | undefined {
  if (typeof params.access_token === 'string' && params.access_token.length > 0) return params.access_token;
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** A decoded path segment; a malformed escape is kept as written (it then matches no route). */
function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** A string parameter, or undefined when absent or not a string. */
export function stringParam(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * An object parameter: a JSON body gives it as an object, a form as JSON text (with single
 * quotes in Meta's own curl examples, which Graph accepts). Undefined when absent; `invalid` when
 * present but not an object.
 */
export function objectParam(
  params: Readonly<Record<string, unknown>>,
  name: string,
): Record<string, unknown> | 'invalid' | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  if (typeof value !== 'string') return 'invalid';
  for (const text of [value, value.replaceAll("'", '"')]) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // Not JSON as written; the single-quoted form is tried next.
    }
  }
  return 'invalid';
}

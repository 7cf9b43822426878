/**
 * Answering Graph requests: JSON on success, the Graph error body (counted by code) on failure,
 * and the token check every authenticated endpoint starts with.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';
import type { MessengerContext } from './context.ts';
import { type GraphError, GraphErrors, sendGraphError } from './graph-errors.ts';
import type { GraphRequest } from './request.ts';
import type { TokenRecord } from './tokens.ts';

export type GraphHandler = (
  ctx: MessengerContext,
  request: GraphRequest,
  res: ServerResponse,
) => void | Promise<void>;

export function fail(ctx: MessengerContext, res: ServerResponse, error: GraphError): void {
  ctx.stats.recordError(error.code, error.subcode);
  sendGraphError(res, error);
}

export function ok(res: ServerResponse, body: unknown): void {
  sendJson(res, 200, body);
}

/**
 * The valid token of a request, or undefined after answering its error. A `/me` call without a
 * token gets Graph's 2500 ("An active access token must be used…"), any other its 104.
 */
export function authenticate(
  ctx: MessengerContext,
  request: GraphRequest,
  res: ServerResponse,
): TokenRecord | undefined {
  if (request.token === undefined) {
    fail(ctx, res, request.segments[0] === 'me' ? GraphErrors.noActiveToken() : GraphErrors.tokenRequired());
    return undefined;
  }
  const check = ctx.tokens.check(request.token);
  if (!check.ok) {
    fail(ctx, res, check.error);
    return undefined;
  }
  return check.record;
}

/**
 * Whop's error body (https://docs.whop.com/developer/troubleshooting): `{ error: { type, message } }`
 * with the HTTP status saying what kind of failure it is (401 authentication, 403 permission, 404,
 * 422 validation, 429 `rate_limit_exceeded` whose message says how long to wait).
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';

/** A refusal a route throws; the server answers it as Whop's error body. */
export class WhopRefusal extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export function sendWhopError(
  res: ServerResponse,
  refusal: WhopRefusal,
  headers: Record<string, string>,
): void {
  sendJson(res, refusal.status, { error: { type: refusal.type, message: refusal.message } }, headers);
}

/** The JSON object of a request body; a body that is not one is a 400. */
export function parseObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WhopRefusal(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WhopRefusal(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

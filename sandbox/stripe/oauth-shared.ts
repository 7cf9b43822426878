/**
 * What the Connect OAuth endpoints share: authorization codes, the decisions tests steer, and
 * OAuth's error answer `{ error, error_description }`, which the SDK turns into its OAuth error
 * classes.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';
import type { FormObject } from './form.ts';

/** An authorization code: single use, valid five minutes. */
export interface CodeRecord {
  readonly platformId: string;
  readonly accountId: string;
  readonly scope: 'read_write' | 'read_only';
  readonly expiresAt: number;
  used: boolean;
}

export const CODE_TTL_MS = 5 * 60 * 1000;

/** What tests may steer: the next authorizations' outcome. */
export class OAuthDecisions {
  denials = 0;
  /** Connect this existing account at the next authorization instead of creating one. */
  nextAccount: string | undefined;
}

export function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

/** A single string parameter of a decoded form. */
export function text(form: FormObject, key: string): string | undefined {
  const value = form[key];
  return typeof value === 'string' ? value : undefined;
}

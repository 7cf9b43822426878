/**
 * Graph API error bodies (`{ error: { message, type, code, error_subcode, fbtrace_id } }`) and
 * the catalogue of the ones this emulator answers, each with the code, subcode and message Meta
 * documents or is observed to send (FACTS.md says which and where from). Graph answers most
 * refusals with HTTP 400; permission errors (200–299) with 403, server faults with 500.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';
import { fbtraceId } from './ids.ts';

export interface GraphError {
  status: number;
  code: number;
  subcode?: number;
  message: string;
  /** `OAuthException` for nearly every Graph error. */
  type?: string;
  /** Graph marks throttling and server faults as worth a retry. */
  transient?: boolean;
  headers?: Record<string, string>;
}

/** Sends a Graph error body with a fresh `fbtrace_id`. */
export function sendGraphError(res: ServerResponse, error: GraphError): void {
  const body: Record<string, unknown> = {
    message: error.message,
    type: error.type ?? 'OAuthException',
    code: error.code,
  };
  if (error.subcode !== undefined) body.error_subcode = error.subcode;
  if (error.transient) body.is_transient = true;
  body.fbtrace_id = fbtraceId();
  sendJson(res, error.status, { error: body }, error.headers ?? {});
}

const invalid = (message: string, subcode?: number): GraphError => ({
  status: 400,
  code: 100,
  message: `(#100) ${message}`,
  ...(subcode === undefined ? {} : { subcode }),
});

/** Why a token is refused, with the subcodes of the Graph error-handling guide. */
export type TokenRefusal = 'unknown' | 'expired' | 'app_removed' | 'password_changed' | 'logged_out';

const TOKEN_SUBCODES: Record<Exclude<TokenRefusal, 'unknown'>, number> = {
  app_removed: 458,
  password_changed: 460,
  expired: 463,
  logged_out: 467,
};

export const GraphErrors = {
  invalidParameter: invalid,
  /** Code 100, subcode 33: the object does not exist or does not support the operation. */
  unsupportedRequest(method: string, id: string): GraphError {
    return {
      status: 400,
      code: 100,
      subcode: 33,
      message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    };
  },
  noMatchingUser: (): GraphError => invalid('No matching user found', 2018001),
  outsideWindow: (): GraphError => ({
    status: 400,
    code: 10,
    subcode: 2018278,
    message:
      '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
  }),
  userUnavailable: (): GraphError => ({
    status: 400,
    code: 551,
    subcode: 1545041,
    message: "(#551) This person isn't available right now.",
  }),
  missingPermission: (permission: string): GraphError => ({
    status: 403,
    code: 230,
    message: `(#230) Requires ${permission} permission to manage the object`,
  }),
  pageTokenRequired: (): GraphError => ({
    status: 403,
    code: 210,
    message: '(#210) A page access token is required to request this resource.',
  }),
  alreadyReplied: (): GraphError => ({
    status: 400,
    code: 10900,
    message: '(#10900) Activity already replied to',
  }),
  cannotReply: (): GraphError => ({
    status: 400,
    code: 10903,
    message: "(#10903) This user can't reply to this activity",
  }),
  noActiveToken: (): GraphError => ({
    status: 400,
    code: 2500,
    message: 'An active access token must be used to query information about the current user.',
  }),
  tokenRequired: (): GraphError => ({
    status: 400,
    code: 104,
    message: 'An access token is required to request this resource.',
  }),
  /** Code 190: the token is unknown, expired or invalidated. */
  token(refusal: TokenRefusal, detail: string): GraphError {
    const message = refusal === 'unknown' ? 'Invalid OAuth access token - Cannot parse access token' : detail;
    return {
      status: 400,
      code: 190,
      ...(refusal === 'unknown' ? {} : { subcode: TOKEN_SUBCODES[refusal] }),
      message,
      // Graph also names the failure in a WWW-Authenticate challenge of its own scheme.
      headers: {
        'WWW-Authenticate': `OAuth "Facebook Platform" "invalid_token" "${message.replaceAll('"', "'")}"`,
      },
    };
  },
  rateLimited(code: RateLimitCode, status = 400): GraphError {
    return { status, code, message: RATE_LIMIT_MESSAGES[code], transient: true };
  },
  serviceError: (status = 500): GraphError => ({
    status,
    code: 2,
    message: 'An unexpected error has occurred. Please retry your request later.',
    transient: true,
  }),
  // Login errors.
  unknownApp: (): GraphError => ({
    status: 400,
    code: 101,
    message: 'Error validating application. Invalid application ID.',
  }),
  badClientSecret: (): GraphError => ({ status: 400, code: 1, message: 'Error validating client secret.' }),
  badCode: (): GraphError => ({ status: 400, code: 100, message: 'Invalid verification code format.' }),
  codeUsed: (): GraphError => ({
    status: 400,
    code: 100,
    subcode: 36009,
    message: 'This authorization code has been used.',
  }),
  codeExpired: (): GraphError => ({
    status: 400,
    code: 100,
    message: 'This authorization code has expired.',
  }),
  redirectMismatch: (): GraphError => ({
    status: 400,
    code: 100,
    subcode: 36008,
    message:
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
  }),
} as const;

/** Throttling codes of the Graph API: app (4), user (17), Page (32), and the Send API's own (613). */
export type RateLimitCode = 4 | 17 | 32 | 613;

const RATE_LIMIT_MESSAGES: Record<RateLimitCode, string> = {
  4: '(#4) Application request limit reached',
  17: '(#17) User request limit reached',
  32: '(#32) Page request limit reached',
  613: '(#613) Calls to this api have exceeded the rate limit.',
};

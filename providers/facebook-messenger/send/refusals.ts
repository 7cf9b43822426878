/**
 * What a Send API error means for the message: Meta refused it for good (the operator must share
 * the link by hand: a fallback, with its reason), or the failure is passing (throttling, a server
 * fault) and the same request may be sent again later.
 *
 * Graph errors are `{ error: { message, type, code, error_subcode, is_transient, fbtrace_id } }`,
 * mostly with HTTP 400 whatever the cause; the code and subcode say what happened (Graph's
 * error-handling guide, the Messenger Platform's error codes, sandbox/facebook-messenger/FACTS.md):
 *
 * | code / subcode            | meaning                                           | reason                 |
 * | ------------------------- | ------------------------------------------------- | ---------------------- |
 * | 10 / 2018278              | outside the 24-hour (or tag's) messaging window   | `outside_window`       |
 * | 10903                     | private reply: the comment is too old (7 days)    | `outside_window`       |
 * | 551                       | the person blocked the Page or turned messages off| `blocked`              |
 * | 10 (other), 200–299       | the app or token lacks a permission (230: `pages_messaging`, 210: not a Page token) | `permission_missing` |
 * | 190, 102                  | the Page token expired or was invalidated         | `token_expired`        |
 * | 100 / 2018001, 100 / 33   | no such person, or no such comment                | `recipient_unavailable`|
 * | 10900                     | the comment already has its one private reply     | `rejected`             |
 * | 10 / 1893063, 368, others | the Page is restricted, or another refusal        | `rejected`             |
 *
 * Passing failures — `is_transient`, codes 1 and 2 (unknown and service errors), 4, 17, 32, 341,
 * 613 and the business-use-case limits 80001 (Pages) and 80006 (Messenger), any 5xx or 429 — are
 * not fallbacks: the run fails with `provider_error` (`details.transient: true`) so the host can
 * send again. So does an answer that is not a Graph error at all (a proxy's HTML page), transient
 * only with a 5xx or 429 status.
 */

export const FALLBACK_REASONS = [
  'outside_window',
  'blocked',
  'permission_missing',
  'token_expired',
  'recipient_unavailable',
  'rejected',
] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** Graph's own description of the error, for the operator and the logs. */
export interface GraphErrorInfo {
  status: number;
  code: number;
  subcode: number | null;
  message: string;
  fbtraceId: string | null;
  transient: boolean;
}

export type Refusal =
  | { kind: 'fallback'; reason: FallbackReason; error: GraphErrorInfo }
  /** Not a refusal of this message: the run fails with `provider_error` (transient: send again later). */
  | { kind: 'error'; transient: boolean; error: GraphErrorInfo | null };

const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 80001, 80006]);
const TOKEN_CODES = new Set([190, 102]);
const OUTSIDE_WINDOW = { code: 10, subcode: 2018278 };
const PAGE_RESTRICTED = { code: 10, subcode: 1893063 };
const NO_MATCHING_USER = 2018001;
const NO_SUCH_OBJECT = 33;
const REPLY_TOO_LATE = 10903;
const USER_UNAVAILABLE = 551;

/** Reads a Graph error body; null when the answer is not one. */
export function graphErrorOf(status: number, body: unknown): GraphErrorInfo | null {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return null;
  const fields = error as Record<string, unknown>;
  const code = integer(fields.code);
  if (code === null) return null;
  return {
    status,
    code,
    subcode: integer(fields.error_subcode),
    message: typeof fields.message === 'string' ? fields.message : '',
    fbtraceId: typeof fields.fbtrace_id === 'string' ? fields.fbtrace_id : null,
    transient: fields.is_transient === true,
  };
}

/** Classifies a non-2xx answer of the Send API. */
export function classifyRefusal(status: number, body: unknown): Refusal {
  const error = graphErrorOf(status, body);
  const passing = status >= 500 || status === 429;
  if (error === null) return { kind: 'error', transient: passing, error: null };
  if (passing || error.transient || TRANSIENT_CODES.has(error.code)) {
    return { kind: 'error', transient: true, error };
  }
  return { kind: 'fallback', reason: reasonOf(error), error };
}

function reasonOf({ code, subcode }: GraphErrorInfo): FallbackReason {
  if (code === OUTSIDE_WINDOW.code && subcode === OUTSIDE_WINDOW.subcode) return 'outside_window';
  if (code === PAGE_RESTRICTED.code && subcode === PAGE_RESTRICTED.subcode) return 'rejected';
  if (code === REPLY_TOO_LATE) return 'outside_window';
  if (code === USER_UNAVAILABLE) return 'blocked';
  if (TOKEN_CODES.has(code)) return 'token_expired';
  if (code === 10 || (code >= 200 && code <= 299)) return 'permission_missing';
  if (code === 100 && (subcode === NO_MATCHING_USER || subcode === NO_SUCH_OBJECT)) {
    return 'recipient_unavailable';
  }
  // 10900 (already replied), 368 (a policy block) and whatever Meta adds: a refusal all the same.
  return 'rejected';
}

function integer(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^[0-9]{1,15}$/.test(value)) return Number(value);
  return null;
}

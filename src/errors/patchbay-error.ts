import { ERROR_STATUS, type ErrorCode } from './codes.ts';

export interface PatchbayErrorOptions {
  /** Structured, non-secret details a client can act on (e.g. the field paths that failed). */
  details?: unknown;
  cause?: unknown;
  /** Overrides the status implied by the code (rarely needed). */
  status?: number;
}

/**
 * The one error class of the engine. Check errors by `code`, never by class or message: the
 * code is part of the public contract, the message is for people.
 */
export class PatchbayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: PatchbayErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'PatchbayError';
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    this.details = options.details;
  }
}

/** True when `err` is a PatchbayError, optionally of the given code. */
export function isPatchbayError(err: unknown, code?: ErrorCode): err is PatchbayError {
  return err instanceof PatchbayError && (code === undefined || err.code === code);
}

/** Shorthand for the most common failure: an id that does not exist in the caller's environment. */
export function notFound(what: string, id: string): PatchbayError {
  return new PatchbayError('not_found', `${what} ${id} was not found in this environment`, {
    details: { id },
  });
}

/**
 * One call of an action's script: input validation, the call under its time limit, output
 * validation, and how whatever it throws becomes a run error. Nothing here touches the store.
 */
import type { z } from 'zod';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { redactString, redactValue } from '../logger/index.ts';
import type { ActionContext, ActionDefinition } from '../scripting/types.ts';
import { depthLimitText, MAX_JSON_DEPTH, valueTooDeep } from '../values/json-depth.ts';
import type { ActionRunError, InputMapper } from './types.ts';

/** The longest error message a run keeps. */
export const MAX_ERROR_MESSAGE = 1000;
/** Time limit of actions that declare none. */
export const DEFAULT_ACTION_TIMEOUT_MS = 60_000;

/** What one call produced. */
export type Outcome = { status: 'succeeded'; output: unknown } | { status: 'failed'; error: ActionRunError };

/** Issues of a failed zod parse, each with its dotted field path (`lines.0.amount`). */
export function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * Applies the connection's field mapping (when any), then the action's input schema. Throws
 * `action_input_invalid` with `details.issues` naming each failing field.
 */
export async function validateInput(
  action: ActionDefinition,
  input: unknown,
  mapper: InputMapper | null,
): Promise<unknown> {
  const mapped = mapper ? await mapper(input) : input;
  const parsed = await action.input.safeParseAsync(mapped);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new PatchbayError(
    'action_input_invalid',
    `The input of action "${action.name}" is invalid: ${issues
      .slice(0, 10)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ')}`,
    { details: { action: action.name, issues } },
  );
}

export interface PerformOptions {
  action: ActionDefinition;
  input: unknown;
  /** Builds the script context; given the run's own signal (timeout and `signal` both fire it). */
  context(signal: AbortSignal): Promise<ActionContext>;
  timeoutMs: number;
  /** The caller's signal (the job's): when it fires the call is abandoned as `action_interrupted`. */
  signal?: AbortSignal;
}

/**
 * Calls the action's `exec` under its time limit and validates the output. Never throws: every
 * failure is an Outcome. A script that ignores its signal is abandoned, not awaited.
 */
export async function perform(options: PerformOptions): Promise<Outcome> {
  const { action, timeoutMs } = options;
  // Stopped before the call: nothing was sent, and nothing is.
  if (options.signal?.aborted)
    return { status: 'failed', error: runErrorOf(interrupted(action.name), action.name) };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new PatchbayError(
          'action_timeout',
          `The action "${action.name}" did not finish within ${timeoutMs} ms`,
          { details: { timeoutMs } },
        );
        controller.abort(error);
        reject(error);
      }, timeoutMs);
      // A time limit never keeps the process alive by itself (see src/syncs/runner.ts).
      timer.unref();
      onAbort = () => {
        const error = interrupted(action.name);
        controller.abort(error);
        reject(error);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const work = (async () => action.exec(await options.context(controller.signal), options.input))();
    // When the limit wins the race, the script's later rejection has no one waiting for it.
    work.catch(() => {});
    const result = await Promise.race([work, stopped]);
    const parsed = await action.output.safeParseAsync(result);
    if (parsed.success && valueTooDeep(parsed.data)) {
      // An output schema that lets a provider's answer through (z.unknown, a loose object) may
      // carry its nesting; storing the run and its event would recurse through it.
      return {
        status: 'failed',
        error: {
          code: 'action_output_invalid',
          message: `The action "${action.name}" returned an output that ${depthLimitText()}`,
          details: { maxDepth: MAX_JSON_DEPTH },
        },
      };
    }
    if (parsed.success) return { status: 'succeeded', output: parsed.data };
    const issues = issuesOf(parsed.error);
    return {
      status: 'failed',
      error: {
        code: 'action_output_invalid',
        message: `The action "${action.name}" returned an output that does not match its schema`,
        details: { issues },
      },
    };
  } catch (error) {
    return { status: 'failed', error: runErrorOf(error, action.name) };
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The error of a run whose worker stopped (or was found to have stopped) mid-call. */
export function interrupted(actionName: string): PatchbayError {
  return new PatchbayError(
    'action_interrupted',
    `The run of action "${actionName}" was interrupted while it ran; whether the provider applied the write is unknown, so it was not run again. Check the provider before repeating it.`,
  );
}

/**
 * A PatchbayError keeps its code, message and details (provider_error, action_timeout…); anything
 * else is `action_failed`. Messages are redacted and capped: scripts may echo provider answers.
 */
export function runErrorOf(error: unknown, actionName: string): ActionRunError {
  if (isPatchbayError(error)) {
    const result: ActionRunError = {
      code: error.code,
      message: redactString(error.message, MAX_ERROR_MESSAGE),
    };
    if (error.details !== undefined) result.details = redactValue(error.details);
    return result;
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'action_failed',
    message: redactString(`The action "${actionName}" failed: ${message}`, MAX_ERROR_MESSAGE),
  };
}

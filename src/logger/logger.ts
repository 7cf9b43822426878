import { format } from 'node:util';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import {
  DEFAULT_MAX_STRING_LENGTH,
  redactKnownSecrets,
  redactMember,
  redactString,
  redactValue,
} from './redact.ts';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  /** Lowest level written; `silent` writes nothing. Default `info`. */
  level?: LogLevel;
  /**
   * Where JSON lines go: anything with `write(line)`. Default: stdout. Tests pass a
   * memory destination to read what was logged.
   */
  destination?: DestinationStream;
  /** Fields on every line (e.g. `{ role: 'api' }`). Default: none (no pid or hostname noise). */
  base?: Record<string, unknown>;
  /** Longest string kept in a log line. Default 4096. */
  maxStringLength?: number;
}

/**
 * The engine's logger: pino writing JSON lines, with secrets redacted everywhere a value can
 * enter a line — the merged object (by key name and value shape, at any depth), child bindings,
 * the message and its interpolation arguments, and errors (message, stack, fields, causes).
 *
 * Redaction happens before serialization, so a secret never reaches the destination, not even in
 * a line that is later filtered.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const max = options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
  const redact = (value: unknown) => redactValue(value, { maxStringLength: max });
  const redactObject = (value: Record<string, unknown>) => redact(value) as Record<string, unknown>;
  const serializers = {
    err: redact,
    error: redact,
    // Fastify's request/response serializers would log the raw URL; these keep the same fields
    // but redacted (and never headers or bodies).
    req: (req: RequestLike) =>
      redact({ method: req.method, url: req.url, host: req.host, remoteAddress: req.ip }),
    res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
  };
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: redactObject,
        // Keys with a serializer (req, res, err) are left to it: walking a live request object
        // here would copy the whole socket.
        log: (object) => {
          const result: Record<string, unknown> = {};
          for (const [key, value] of Object.entries(object)) {
            // Member by member, so the key-name rule applies to top-level keys too.
            result[key] = Object.hasOwn(serializers, key)
              ? value
              : redactMember(key, value, { maxStringLength: max });
          }
          return result;
        },
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, redactArguments(args as unknown[], max) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination(1),
  );
  // pino applies `formatters.bindings` to the root's base only, not to child bindings; wrapping
  // `child` on the root covers every descendant (children inherit it through the prototype).
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    const { requestId, ...rest } = bindings as Record<string, unknown>;
    const redacted = redactObject(rest);
    // The request id is a correlation id: random-looking by nature (nginx's 32 hex characters,
    // UUIDs), so only known credential shapes are removed and it still matches the proxy's logs.
    if (typeof requestId === 'string') redacted.requestId = redactKnownSecrets(requestId, max);
    else if (requestId !== undefined) redacted.requestId = redact(requestId);
    return child.call(this, redacted, childOptions);
  } as typeof logger.child;
  return logger;
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
}

/**
 * A log call is `(object?, message?, ...interpolation)`. The message is formatted here (pino
 * would do it after this hook, out of reach) and redacted whole. When only an error or an object
 * with `err` is given, pino would take the error's raw message as the line's message, so a
 * redacted one is supplied instead.
 */
function redactArguments(args: unknown[], max: number): unknown[] {
  const [first, ...rest] = args;
  if (typeof first === 'string') return [redactString(formatMessage(first, rest), max)];
  if (rest.length > 0 && typeof rest[0] === 'string') {
    const [message, ...interpolation] = rest as [string, ...unknown[]];
    return [first, redactString(formatMessage(message, interpolation), max)];
  }
  const error = first instanceof Error ? first : errorOf(first);
  if (error) return [first, redactString(error.message, max)];
  return args;
}

function formatMessage(message: string, interpolation: unknown[]): string {
  return interpolation.length === 0 ? message : format(message, ...interpolation);
}

function errorOf(value: unknown): Error | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const candidate = (value as { err?: unknown }).err;
  return candidate instanceof Error ? candidate : undefined;
}

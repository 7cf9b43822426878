export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './logger.ts';
export { createMemoryDestination, type MemoryDestination } from './memory-destination.ts';
export {
  DEFAULT_MAX_STRING_LENGTH,
  isSecretKey,
  REDACTED,
  type RedactOptions,
  redactKnownSecrets,
  redactString,
  redactValue,
  truncate,
} from './redact.ts';

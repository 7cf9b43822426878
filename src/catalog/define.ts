/** Turning definition data into validated, frozen ProviderDefinition values. */
import type { z } from 'zod';
import { PatchbayError } from '../errors/index.ts';
import { type ProviderDefinition, type ProviderDefinitionInput, providerDefinitionSchema } from './schema.ts';

/** One problem of a definition: the field path (`auth.tokenUrl`, `connectionConfig[0].key`) and what is wrong. */
export interface DefinitionIssue {
  path: string;
  message: string;
}

/**
 * Validates a provider definition and returns it with defaults applied, deeply frozen. Definition
 * files export `defineProvider({...})`, so a broken definition fails as soon as it is imported.
 * Throws `provider_definition_invalid` with one line per problem.
 *
 * @example
 * export default defineProvider({ name: 'acme', displayName: 'Acme', ... });
 */
export function defineProvider(input: ProviderDefinitionInput): ProviderDefinition {
  return validateDefinition(input);
}

/**
 * Validates unknown data as a provider definition. `source` (a file path) prefixes the error
 * message, so a bad definition is found by file and field.
 */
export function validateDefinition(input: unknown, source?: string): ProviderDefinition {
  const result = providerDefinitionSchema.safeParse(input);
  if (!result.success) {
    const issues = describeIssues(result.error);
    const name = nameOf(input);
    const where = [source, name === undefined ? undefined : `provider "${name}"`].filter(Boolean).join(': ');
    throw new PatchbayError(
      'provider_definition_invalid',
      `Invalid provider definition${where ? ` (${where})` : ''}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
      { details: { source, issues }, cause: result.error },
    );
  }
  return deepFreeze(result.data);
}

/** Flattens zod issues into `path: message` pairs, paths written like `webhooks.routing.header`. */
export function describeIssues(error: z.ZodError): DefinitionIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path) || '(definition)',
    message: issue.message,
  }));
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function nameOf(input: unknown): string | undefined {
  if (input && typeof input === 'object' && 'name' in input && typeof input.name === 'string')
    return input.name;
  return undefined;
}

/** Definitions are shared by every connection; freezing them turns an accidental mutation into an error. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

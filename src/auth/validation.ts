/**
 * Checking what an end user typed against the definition's fields before anything renders or
 * sends it: connection config (required, options, pattern, defaults) and credential values.
 * Failures are `validation_failed` with one issue per field; messages never echo the values.
 */
import type { ConnectionConfigField, CredentialField, CredentialInput } from '../catalog/index.ts';
import { PatchbayError } from '../errors/index.ts';

export interface FieldIssue {
  in: 'connectionConfig' | 'credentials';
  path: string;
  message: string;
  code: 'required' | 'pattern' | 'option' | 'unknown';
}

/** The config with defaults applied; throws `validation_failed` listing every bad field. */
export function validateConnectionConfig(
  fields: readonly ConnectionConfigField[],
  input: Record<string, string>,
): Record<string, string> {
  const issues: FieldIssue[] = [];
  const out: Record<string, string> = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(input)) {
    if (!known.has(key))
      issues.push(issue('connectionConfig', key, 'is not a field of this integration', 'unknown'));
  }
  for (const field of fields) {
    const given = Object.hasOwn(input, field.key) ? input[field.key] : undefined;
    const value = given === undefined || given === '' ? field.default : given;
    if (value === undefined) {
      if (field.required)
        issues.push(issue('connectionConfig', field.key, `${field.label} is required`, 'required'));
      continue;
    }
    if (field.options && !field.options.some((o) => o.value === value)) {
      issues.push(
        issue('connectionConfig', field.key, `${field.label} must be one of the offered options`, 'option'),
      );
      continue;
    }
    if (field.pattern && !new RegExp(field.pattern).test(value)) {
      issues.push(
        issue(
          'connectionConfig',
          field.key,
          `${field.label} does not have the expected form (e.g. ${field.example})`,
          'pattern',
        ),
      );
      continue;
    }
    out[field.key] = value;
  }
  if (issues.length > 0) throw failed(issues);
  return out;
}

/** A credential the definition asks for: a `fields` entry (api_key) or a fixed input (basic, client credentials). */
export interface CredentialSpec {
  key: string;
  input: CredentialField | CredentialInput;
  required: boolean;
}

/** The credential values by key; throws `validation_failed` (never echoing a value). */
export function validateCredentials(
  specs: readonly CredentialSpec[],
  input: Record<string, string>,
): Record<string, string> {
  const issues: FieldIssue[] = [];
  const out: Record<string, string> = {};
  const known = new Set(specs.map((s) => s.key));
  for (const key of Object.keys(input)) {
    if (!known.has(key))
      issues.push(issue('credentials', key, 'is not a credential of this integration', 'unknown'));
  }
  for (const spec of specs) {
    const value = Object.hasOwn(input, spec.key) ? input[spec.key] : undefined;
    if (value === undefined || value === '') {
      if (spec.required)
        issues.push(issue('credentials', spec.key, `${spec.input.label} is required`, 'required'));
      continue;
    }
    if (spec.input.pattern && !new RegExp(spec.input.pattern).test(value)) {
      issues.push(
        issue('credentials', spec.key, `${spec.input.label} does not have the expected form`, 'pattern'),
      );
      continue;
    }
    out[spec.key] = value;
  }
  if (issues.length > 0) throw failed(issues);
  return out;
}

function issue(where: FieldIssue['in'], path: string, message: string, code: FieldIssue['code']): FieldIssue {
  return { in: where, path: path.slice(0, 64), message, code };
}

function failed(issues: FieldIssue[]): PatchbayError {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new PatchbayError(
    'validation_failed',
    `Invalid ${first?.in ?? 'input'}: ${first?.path}: ${first?.message}${more}`,
    {
      details: { issues },
    },
  );
}

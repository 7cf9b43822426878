import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { PatchbayError } from '../errors/index.ts';
import {
  CONFIG_ENV,
  CONFIG_FILE_ENV,
  configSchema,
  type PatchbayConfig,
  type PatchbayConfigInput,
} from './schema.ts';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Values that win over both the file and the environment (library mode, tests). */
  overrides?: PatchbayConfigInput;
}

/**
 * Reads the configuration: defaults, then the JSON file named by PATCHBAY_CONFIG_FILE, then
 * PATCHBAY_* environment variables, then explicit overrides. Throws `config_invalid` with one line
 * per problem naming the variable and what it expects.
 */
export function loadConfig(options: LoadConfigOptions = {}): PatchbayConfig {
  const env = options.env ?? process.env;
  const merged: Record<string, unknown> = { ...readConfigFile(env[CONFIG_FILE_ENV]) };
  for (const [field, variable] of Object.entries(CONFIG_ENV)) {
    const value = env[variable];
    if (value !== undefined && value !== '') merged[field] = value;
  }
  Object.assign(merged, options.overrides);
  return parseConfig(merged);
}

/** Validates already-merged config values. */
export function parseConfig(input: unknown): PatchbayConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return { ...result.data, dataDir: resolve(result.data.dataDir) };
  throw new PatchbayError('config_invalid', `Invalid configuration:\n${describeIssues(result.error)}`, {
    details: result.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })),
    cause: result.error,
  });
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = String(issue.path[0] ?? '');
      const variable = CONFIG_ENV[field as keyof PatchbayConfig];
      const where = variable ? `${variable} (${field})` : field || 'config';
      return `  - ${where}: ${issue.message}`;
    })
    .join('\n');
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new PatchbayError('config_invalid', `${CONFIG_FILE_ENV}: cannot read ${path}; check the path`, {
      cause,
    });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new PatchbayError('config_invalid', `${CONFIG_FILE_ENV}: ${path} is not valid JSON`, { cause });
  }
  throw new PatchbayError('config_invalid', `${CONFIG_FILE_ENV}: ${path} must hold a JSON object`);
}

/** Form fields of the connect flow: connection config, credential fields, the credential test. */
import { z } from 'zod';
import {
  anchoredPattern,
  helpText,
  httpMethod,
  httpStatus,
  label,
  pathTemplate,
  variableName,
} from './common.ts';

const option = z.strictObject({ value: z.string().min(1), label });

/**
 * A non-secret value the end user gives when connecting (shop domain, store URL, login host),
 * stored as connection config and usable as `${key}` in URLs.
 */
export const connectionConfigFieldSchema = z
  .strictObject({
    key: variableName,
    label,
    help: helpText.optional(),
    /** Anchored pattern the value must match (checked before any template renders it). */
    pattern: anchoredPattern.optional(),
    /** A realistic value: shown as the input placeholder and used by the contract tests. */
    example: z.string().min(1),
    required: z.boolean().default(true),
    default: z.string().min(1).optional(),
    /** Offer a fixed choice (e.g. live or sandbox host) instead of free text. */
    options: z.array(option).min(2).optional(),
  })
  .superRefine((field, ctx) => {
    const pattern = field.pattern === undefined ? undefined : safeRegExp(field.pattern);
    for (const key of ['example', 'default'] as const) {
      const value = field[key];
      if (value === undefined) continue;
      if (pattern && !pattern.test(value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `does not match the field's pattern` });
      }
      if (field.options && !field.options.some((o) => o.value === value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'is not one of the options' });
      }
    }
  });

/** One credential the end user pastes (API key, secret); `key` is its `${placeholder}` name. */
export const credentialFieldSchema = z.strictObject({
  key: variableName,
  label,
  /**
   * Secret values are encrypted at rest and never shown again. Non-secret ones (Stripe's
   * publishable key) are kept with the credentials and also copied into the connection's
   * metadata, where the host can read them.
   */
  secret: z.boolean(),
  required: z.boolean().default(true),
  help: helpText.optional(),
  pattern: anchoredPattern.optional(),
  example: z.string().min(1).optional(),
});

/** A fixed-name credential input (basic auth username/password, client id/secret). */
export const credentialInputSchema = z.strictObject({
  label,
  secret: z.boolean().default(true),
  help: helpText.optional(),
  pattern: anchoredPattern.optional(),
});

/**
 * The call made at connect time to check pasted credentials before saving them: a path relative
 * to the proxy base URL, answered with `expectedStatus` when the credentials are good.
 */
export const credentialTestSchema = z.strictObject({
  method: httpMethod.default('GET'),
  path: pathTemplate,
  expectedStatus: httpStatus.default(200),
});

export type ConnectionConfigField = z.output<typeof connectionConfigFieldSchema>;
export type CredentialField = z.output<typeof credentialFieldSchema>;
export type CredentialInput = z.output<typeof credentialInputSchema>;
export type CredentialTest = z.output<typeof credentialTestSchema>;

function safeRegExp(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

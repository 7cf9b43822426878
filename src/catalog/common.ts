/** Building blocks shared by the parts of the provider definition schema. */
import { z } from 'zod';
import { checkTextTemplate, checkUrlTemplate } from './template.ts';

export const CATEGORIES = [
  'payments',
  'commerce',
  'crm',
  'marketing',
  'email',
  'messaging',
  'productivity',
  'spreadsheets',
  'analytics',
  'automation',
  'developer',
  'other',
] as const;

export const category = z.enum(CATEGORIES);
export type Category = (typeof CATEGORIES)[number];

/** Provider names and other identifiers that appear in URLs and folder names. */
export const slug = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a lowercase slug such as "google-sheets"');

/** A name usable as a `${placeholder}`: connection config keys, metadata keys, credential fields. */
export const variableName = z
  .string()
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a name of letters, digits and _ starting with a letter');

/** A URL with optional `${placeholders}`; must be https:// (plain http:// only on loopback). */
export const urlTemplate = z
  .string()
  .min(1)
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = checkUrlTemplate(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A request path relative to the proxy base URL, e.g. `/v1/account` or `/companies/${companyId}`. */
export const pathTemplate = z
  .string()
  .max(1024)
  .superRefine((value, ctx) => {
    const problem = checkTextTemplate(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    else if (!value.startsWith('/') || value.includes('://') || /(^|\/)\.\.?(\/|$)/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected a path starting with "/" and without dot segments' });
    } else if (/\s/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must not contain whitespace' });
    }
  });

/** A header, query or body value with optional `${placeholders}`. */
export const textTemplate = z
  .string()
  .max(4096)
  .superRefine((value, ctx) => {
    const problem = checkTextTemplate(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A header the proxy sends, written in its usual case (`Authorization`, `X-Shopify-Access-Token`). */
export const headerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected an HTTP header name')
  .refine(
    (name) => !['host', 'content-length', 'transfer-encoding', 'connection'].includes(name.toLowerCase()),
    {
      message: 'this header is set by the HTTP client, not by a definition',
    },
  );

/** A header Patchbay reads from a provider's request or response; lowercase, as Node delivers them. */
export const incomingHeader = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase header name');

/** A dot path into a JSON body: `data`, `paging.next.after`, `entry.0.id` (numbers index arrays). */
export const jsonPath = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/, 'expected a dot path such as "paging.next.after"');

/** Like jsonPath, or `$` for the body itself (a body that is a JSON array). */
export const itemsPath = z.union([z.literal('$'), jsonPath]);

/** A query parameter name, e.g. `starting_after`, `page[size]`. */
export const paramName = z.string().regex(/^[A-Za-z0-9_.[\]-]+$/, 'expected a query parameter name');

export const httpStatus = z.number().int().min(100).max(599);
export const httpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
export const positiveInt = z.number().int().positive();
/** A duration in seconds (timestamp tolerances, token lifetimes). */
export const seconds = z
  .number()
  .int()
  .positive()
  .max(10 * 365 * 24 * 3600);

/** A static https URL (documentation links). */
export const httpsUrl = z.url({ protocol: /^https$/, message: 'expected an https:// URL' });

/** A regular expression source, anchored with ^…$ so it validates whole values. */
export const anchoredPattern = z
  .string()
  .max(500)
  .superRefine((value, ctx) => {
    try {
      new RegExp(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid regular expression' });
      return;
    }
    if (!value.startsWith('^') || !value.endsWith('$')) {
      ctx.addIssue({ code: 'custom', message: 'must be anchored with ^ and $' });
    }
  });

/** A field label shown to people in the connect form. */
export const label = z.string().min(1).max(80);
export const helpText = z.string().min(1).max(500);

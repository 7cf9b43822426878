/**
 * The values auth renders templates with, and reading values out of provider JSON by the
 * definition's dot paths (`team.id`, `entry.0.id`).
 */

import { parseTemplate, renderTemplate, type TemplateValues } from '../catalog/index.ts';
import { PatchbayError } from '../errors/index.ts';
import { scalarText } from '../values/path.ts';

/** Renders a URL template; placeholder values are checked by position (see catalog/template.ts). */
export function renderUrl(template: string, values: TemplateValues): string {
  return renderTemplate(template, values);
}

/** Renders a header or body value template (no control characters, so no header injection). */
export function renderText(template: string, values: TemplateValues): string {
  return renderTemplate(template, values, { as: 'text' });
}

/**
 * Renders a request path relative to the proxy base URL (`/companies/${companyId}`): each value is
 * percent-encoded as one path segment, and `.`/`..` are refused, so a value cannot climb out of
 * the path the definition wrote.
 */
export function renderPath(template: string, values: TemplateValues): string {
  return parseTemplate(template)
    .map((part) => {
      if (part.kind === 'text') return part.text;
      const value = Object.hasOwn(values, part.name) ? values[part.name] : undefined;
      if (value === undefined || value === '') {
        throw new PatchbayError(
          'template_value_invalid',
          `no value for "${part.name}"; it is required here`,
          {
            details: { variable: part.name, reason: 'missing' },
          },
        );
      }
      if (value === '.' || value === '..') {
        throw new PatchbayError('template_value_invalid', `"${part.name}" must not be "." or ".."`, {
          details: { variable: part.name, reason: 'invalid_path_segment' },
        });
      }
      return encodeURIComponent(value);
    })
    .join('');
}

/** Metadata values usable in templates: the scalar ones, as text. */
export function metadataValues(metadata: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    const text = scalarText(value);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

/** An OAuth error code as it may appear in details: RFC 6749 codes are plain ASCII tokens. */
export function safeErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : undefined;
}

/**
 * Templates in provider definitions: `${name}` placeholders in URLs (`https://${shop}/admin/…`,
 * `${instanceUrl}/services/data/v62.0`) and in header, query and body values
 * (`Bearer ${accessToken}`).
 *
 * Rendering is where connection-supplied values meet URLs, so it is strict by position:
 * - host position (inside the authority of a literal `https://…`): only a hostname made of
 *   `[a-z0-9.-]` labels, so a value can never add a path, a user-info `@`, a port or a scheme;
 * - origin position (the template starts with the placeholder): an absolute `https://` URL with
 *   an optional plain path, no user info, query, fragment, percent escapes or dot segments;
 * - path and query positions: percent-encoded, and `.`/`..` refused;
 * - text (headers, query values, bodies): no control characters, so no header injection.
 * A missing or empty value is refused rather than rendered as an empty string.
 */
import { PatchbayError } from '../errors/index.ts';

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'var'; name: string };

/** Where a placeholder sits in a URL template; decides how its value is checked and encoded. */
export type UrlPosition = 'origin' | 'host' | 'path';

export interface RenderOptions {
  /** `url` (default) checks values by position; `text` is for header, query and body values. */
  as?: 'url' | 'text';
  /** Accept `http://` in origin-position values (local sandboxes); off by default. */
  allowHttp?: boolean;
}

export type TemplateValues = Readonly<Record<string, string | undefined>>;

const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const HOST_VALUE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const AUTHORITY_LITERAL = /^[a-z0-9.:[\]-]*$/;
// C0 controls and DEL: CR/LF would split a header, NUL truncates in some stacks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Splits a template into text and `${name}` parts; throws `provider_definition_invalid` if malformed. */
export function parseTemplate(template: string): TemplatePart[] {
  const result = tryParse(template);
  if (typeof result === 'string') {
    throw new PatchbayError('provider_definition_invalid', `template "${template}": ${result}`);
  }
  return result;
}

/** The placeholder names a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  const names: string[] = [];
  for (const part of parseTemplate(template)) {
    if (part.kind === 'var' && !names.includes(part.name)) names.push(part.name);
  }
  return names;
}

/**
 * The part of a URL template that names its host: `https://api.stripe.com`, `https://${shop}` or
 * `${storeUrl}`. applyOverrides keys its base-URL map by this string.
 */
export function templateOrigin(template: string): string {
  const analysis = analyzeUrl(template);
  if (typeof analysis === 'string') {
    throw new PatchbayError('provider_definition_invalid', `URL template "${template}": ${analysis}`);
  }
  return analysis.origin;
}

/** Why a URL template is unusable, or undefined when it is fine. Plain `http://` is loopback-only. */
export function checkUrlTemplate(template: string): string | undefined {
  const analysis = analyzeUrl(template);
  if (typeof analysis === 'string') return analysis;
  if (analysis.scheme === 'http' && !LOOPBACK_HOSTS.has(originHost(analysis.origin))) {
    return 'must use https:// (plain http:// only for a loopback sandbox)';
  }
  return undefined;
}

/** The host of a literal origin such as `http://127.0.0.1:4010` or `http://[::1]:80`. */
function originHost(origin: string): string {
  const authority = origin.replace(/^https?:\/\//, '');
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  return authority.split(':')[0] ?? '';
}

/** Why a text template (header, query or body value) is unusable, or undefined when it is fine. */
export function checkTextTemplate(template: string): string | undefined {
  const parts = tryParse(template);
  if (typeof parts === 'string') return parts;
  if (CONTROL.test(template)) return 'must not contain control characters';
  return undefined;
}

/** The position of each placeholder of a URL template (`origin`, `host` or `path`). */
export function urlPlaceholderPositions(template: string): Array<{ name: string; position: UrlPosition }> {
  const analysis = analyzeUrl(template);
  if (typeof analysis === 'string') {
    throw new PatchbayError('provider_definition_invalid', `URL template "${template}": ${analysis}`);
  }
  return analysis.slots
    .filter((slot) => slot.part.kind === 'var')
    .map((slot) => ({
      name: (slot.part as { name: string }).name,
      position: slot.position,
    }));
}

/**
 * Renders a template with connection values. Throws `template_value_invalid` (details name the
 * variable and the reason, never the value) when a value is missing or would change where the
 * URL points or inject a header.
 *
 * @example
 * renderTemplate('https://${shop}/admin/api/2025-07', { shop: 'acme.myshopify.com' })
 * // → 'https://acme.myshopify.com/admin/api/2025-07'
 * renderTemplate('Bearer ${accessToken}', { accessToken: 'tok' }, { as: 'text' }) // → 'Bearer tok'
 */
export function renderTemplate(
  template: string,
  values: TemplateValues,
  options: RenderOptions = {},
): string {
  if (options.as === 'text') {
    return parseTemplate(template)
      .map((part) =>
        part.kind === 'text' ? part.text : checkText(part.name, requiredValue(values, part.name)),
      )
      .join('');
  }
  const analysis = analyzeUrl(template);
  if (typeof analysis === 'string') {
    throw new PatchbayError('provider_definition_invalid', `URL template "${template}": ${analysis}`);
  }
  const rendered = analysis.slots
    .map(({ part, position }) => {
      if (part.kind === 'text') return part.text;
      const value = requiredValue(values, part.name);
      if (position === 'host') return checkHost(part.name, value);
      if (position === 'origin') return checkOrigin(part.name, value, options.allowHttp === true);
      return encodePathValue(part.name, value);
    })
    .join('');
  // Defence in depth: whatever the checks above let through must still be a plain absolute URL.
  let url: URL;
  try {
    url = new URL(rendered);
  } catch (cause) {
    throw new PatchbayError('template_value_invalid', `the URL rendered from "${template}" is not valid`, {
      details: { reason: 'invalid_url' },
      cause,
    });
  }
  if (url.username !== '' || url.password !== '') {
    throw new PatchbayError(
      'template_value_invalid',
      `the URL rendered from "${template}" carries user info`,
      {
        details: { reason: 'invalid_url' },
      },
    );
  }
  return rendered;
}

interface UrlAnalysis {
  scheme: 'http' | 'https' | 'value';
  origin: string;
  slots: Array<{ part: TemplatePart; position: UrlPosition }>;
}

function tryParse(template: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let text = '';
  let index = 0;
  while (index < template.length) {
    if (template.startsWith('${', index)) {
      const end = template.indexOf('}', index + 2);
      if (end === -1) return 'unclosed "${"';
      const name = template.slice(index + 2, end);
      if (!VARIABLE_NAME.test(name)) return `"${name}" is not a placeholder name (letters, digits, _)`;
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'var', name });
      index = end + 1;
    } else {
      text += template[index];
      index += 1;
    }
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}

function analyzeUrl(template: string): UrlAnalysis | string {
  const parts = tryParse(template);
  if (typeof parts === 'string') return parts;
  if (/\s/.test(template) || CONTROL.test(template)) return 'must not contain whitespace';
  if (template.includes('#')) return 'must not contain a fragment';
  const [first, second] = parts;
  if (first?.kind === 'var') {
    // `${instanceUrl}/services/data`: the whole origin comes from one checked value.
    if (second !== undefined && (second.kind !== 'text' || !second.text.startsWith('/'))) {
      return 'an origin placeholder must be followed by a path starting with "/"';
    }
    const slots = parts.map((part, i) => ({ part, position: (i === 0 ? 'origin' : 'path') as UrlPosition }));
    return { scheme: 'value', origin: `\${${first.name}}`, slots };
  }
  if (first === undefined || !/^https?:\/\//.test(first.text)) {
    return 'must start with https:// or with an origin placeholder such as ${baseUrl}';
  }
  const scheme = first.text.startsWith('https://') ? 'https' : 'http';
  const slots: UrlAnalysis['slots'] = [];
  let inAuthority = true;
  let origin = '';
  let namesHost = false;
  for (const part of parts) {
    if (part.kind === 'var') {
      slots.push({ part, position: inAuthority ? 'host' : 'path' });
      if (inAuthority) {
        origin += `\${${part.name}}`;
        namesHost = true;
      }
      continue;
    }
    let text = part.text;
    if (slots.length === 0) {
      origin = `${scheme}://`;
      text = text.slice(origin.length);
    }
    if (inAuthority) {
      const cut = text.search(/[/?]/);
      const authorityText = cut === -1 ? text : text.slice(0, cut);
      if (!AUTHORITY_LITERAL.test(authorityText)) {
        return 'the host must be lowercase letters, digits, dots and hyphens (no user info)';
      }
      origin += authorityText;
      if (authorityText !== '') namesHost = true;
      if (cut !== -1) inAuthority = false;
    }
    slots.push({ part, position: 'path' });
  }
  if (!namesHost || /^https?:\/\/(?::|$)/.test(origin)) return 'must name a host';
  return { scheme, origin, slots };
}

function requiredValue(values: TemplateValues, name: string): string {
  const value = Object.hasOwn(values, name) ? values[name] : undefined;
  if (value === undefined || value === '') {
    throw new PatchbayError('template_value_invalid', `no value for "${name}"; it is required here`, {
      details: { variable: name, reason: 'missing' },
    });
  }
  return value;
}

function invalid(name: string, reason: string, message: string): PatchbayError {
  return new PatchbayError('template_value_invalid', `"${name}" ${message}`, {
    details: { variable: name, reason },
  });
}

function checkText(name: string, value: string): string {
  if (CONTROL.test(value)) throw invalid(name, 'control_character', 'must not contain control characters');
  return value;
}

function checkHost(name: string, value: string): string {
  if (!HOST_VALUE.test(value)) {
    throw invalid(
      name,
      'invalid_host',
      'must be a hostname of lowercase letters, digits, dots and hyphens; anything else could change the host',
    );
  }
  return value;
}

function checkOrigin(name: string, value: string, allowHttp: boolean): string {
  if (CONTROL.test(value)) throw invalid(name, 'control_character', 'must not contain control characters');
  const match = /^(https?):\/\/([^/?#@\\]+)((?:\/[^/?#\\]+)*)\/?$/.exec(value);
  if (!match) {
    throw invalid(
      name,
      'invalid_url',
      'must be an absolute URL such as https://shop.example.com (no query or user info)',
    );
  }
  const [, scheme, authority = '', path = ''] = match;
  if (scheme === 'http' && !allowHttp) throw invalid(name, 'insecure_url', 'must use https://');
  const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(authority);
  const host = portMatch?.[1] ?? '';
  const port = portMatch?.[2];
  if (!HOST_VALUE.test(host) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    throw invalid(name, 'invalid_host', 'must have a host of lowercase letters, digits, dots and hyphens');
  }
  for (const segment of path.split('/').slice(1)) {
    if (!/^[A-Za-z0-9._~-]+$/.test(segment) || segment === '.' || segment === '..') {
      throw invalid(name, 'invalid_path_segment', 'may only have a plain path (letters, digits, . _ ~ -)');
    }
  }
  return `${scheme}://${authority}${path}`;
}

function encodePathValue(name: string, value: string): string {
  if (CONTROL.test(value)) throw invalid(name, 'control_character', 'must not contain control characters');
  if (value === '.' || value === '..') throw invalid(name, 'invalid_path_segment', 'must not be "." or ".."');
  return encodeURIComponent(value);
}

/**
 * The URL of a provider call: the definition's base URL rendered with the connection's values
 * (templates cannot change its host), then the caller's path and query. A path can never leave
 * the base: an absolute URL must have the base's origin, and a relative path must stay under the
 * base path after `.`/`..` (and their percent-encoded forms) are resolved.
 */
import { renderTemplate, type TemplateValues } from '../catalog/index.ts';
import { PatchbayError } from '../errors/index.ts';

export interface UrlOptions {
  /** Accept an `http://` origin from a connection value (a local sandbox). */
  allowHttp?: boolean;
}

// Base URLs without placeholders (most providers, and every integration's base-URL override)
// render to themselves on every call: their checked form is kept, by template, instead of
// parsing and checking them again for each call. Bounded: templates come from definitions and
// integration settings, a small set, but nothing here should grow without limit.
const fixedBases = new Map<string, { origin: string; basePath: string }>();
const FIXED_BASES_MAX = 1_000;

interface Base {
  origin: string;
  /** The base path without trailing slashes (`''` for the root). */
  basePath: string;
}

function baseOf(template: string, values: TemplateValues, allowHttp: boolean): Base {
  const fixed = !template.includes('${');
  if (fixed) {
    const known = fixedBases.get(template);
    if (known !== undefined) return known;
  }
  const url = new URL(renderTemplate(template, values, { allowHttp }));
  const base = { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
  if (fixed) {
    if (fixedBases.size >= FIXED_BASES_MAX) fixedBases.clear();
    fixedBases.set(template, base);
  }
  return base;
}

/** Renders the base URL, resolves `path` against it and appends `query`. */
export function providerUrl(
  baseUrlTemplate: string,
  values: TemplateValues,
  path: string,
  query: Readonly<Record<string, string | string[]>> | undefined,
  options: UrlOptions = {},
): URL {
  const url = resolvePath(baseOf(baseUrlTemplate, values, options.allowHttp === true), path);
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, item);
  }
  return url;
}

function resolvePath(base: Base, path: string): URL {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f\s]/.test(path))
    throw invalidPath('must not contain whitespace or control characters');
  const basePath = base.basePath;
  let url: URL;
  if (/^https?:/i.test(path) || /^[/\\]{2}/.test(path)) {
    try {
      url = new URL(path, `${base.origin}${basePath}/`);
    } catch {
      throw invalidPath('is not a valid URL');
    }
    if (url.origin !== base.origin || url.username !== '' || url.password !== '') {
      throw invalidPath(`must be relative to ${base.origin} or an absolute URL on that origin`);
    }
  } else {
    const relative = path.startsWith('/') || path.startsWith('\\') ? path : `/${path}`;
    try {
      url = new URL(`${base.origin}${basePath}${relative}`);
    } catch {
      throw invalidPath('is not a valid URL path');
    }
    // The URL parser has resolved dot segments (`..`, `%2e%2e`, backslashes): what is left must
    // still be the base path or below it.
    if (
      url.origin !== base.origin ||
      !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))
    ) {
      throw invalidPath(`must stay under ${basePath === '' ? '/' : basePath}`);
    }
  }
  // A segment that decodes to a climb (`..%2f`, `%2e%2e%5c`) would escape at a provider that
  // decodes before routing; `%2F` inside a name (`group%2Fproject`) stays allowed.
  if (url.pathname.includes('%')) {
    for (const segment of url.pathname.split('/')) {
      if (segment.includes('%') && safeDecode(segment).split(/[/\\]/).includes('..')) {
        throw invalidPath('must not contain encoded ".." segments');
      }
    }
  }
  url.hash = '';
  return url;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function invalidPath(reason: string): PatchbayError {
  return new PatchbayError('proxy_path_invalid', `The provider path ${reason}`, { details: { reason } });
}

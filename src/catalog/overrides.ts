/**
 * Base-URL overrides: the same definition runs against the real service or a local sandbox.
 * Every URL of a definition (authorization, token, token exchange, revoke, metadata request,
 * proxy base) starts with an origin — `https://api.stripe.com`, `https://${shop}` or
 * `${storeUrl}` — and an override map replaces origins by base URLs, keeping the rest of each URL.
 */
import { PatchbayError } from '../errors/index.ts';
import { validateDefinition } from './define.ts';
import type { ProviderDefinition } from './schema.ts';
import { checkUrlTemplate, templateOrigin, templateVariables } from './template.ts';

export interface OverrideOptions {
  /**
   * Origin as written in the definition (or `*` for every origin) → base URL to use instead,
   * e.g. `{ 'https://api.stripe.com': 'http://127.0.0.1:4010/stripe' }`. A base URL may reuse the
   * placeholders of the origin it replaces in its path (`http://127.0.0.1:4010/shops/${shop}`).
   * Plain http is accepted for loopback hosts only.
   */
  baseUrls: Readonly<Record<string, string>>;
}

interface UrlSlot {
  path: string;
  get(): string | undefined;
  set(value: string): void;
}

/** The distinct origins of a definition's URLs, in a stable order. */
export function definitionOrigins(definition: ProviderDefinition): string[] {
  const origins: string[] = [];
  for (const slot of urlSlots(structuredClone(definition) as MutableDefinition)) {
    const url = slot.get();
    if (url === undefined) continue;
    const origin = templateOrigin(url);
    if (!origins.includes(origin)) origins.push(origin);
  }
  return origins;
}

/**
 * Returns a validated copy of `definition` whose URLs point at the given base URLs. Throws
 * `config_invalid` for an override that is not a usable base URL or that matches no origin of
 * the definition (a typo would otherwise silently send sandbox traffic to the real service).
 */
export function applyOverrides(definition: ProviderDefinition, options: OverrideOptions): ProviderDefinition {
  const origins = definitionOrigins(definition);
  const replacements = new Map<string, string>();
  for (const [origin, base] of Object.entries(options.baseUrls)) {
    if (origin !== '*' && !origins.includes(origin)) {
      throw new PatchbayError(
        'config_invalid',
        `base URL override "${origin}" matches no URL of provider ${definition.name}; its origins are ${origins.join(', ')}`,
        { details: { provider: definition.name, origin, origins } },
      );
    }
    replacements.set(origin, checkBase(definition.name, origin, base));
  }
  const copy = structuredClone(definition) as MutableDefinition;
  for (const slot of urlSlots(copy)) {
    const url = slot.get();
    if (url === undefined) continue;
    const origin = templateOrigin(url);
    const base = replacements.get(origin) ?? replacements.get('*');
    if (base === undefined) continue;
    for (const name of templateVariables(base)) {
      if (!origin.includes(`\${${name}}`)) {
        throw new PatchbayError(
          'config_invalid',
          `base URL override for ${definition.name} uses \${${name}}, which the origin ${origin} of ${slot.path} does not have`,
          { details: { provider: definition.name, path: slot.path } },
        );
      }
    }
    slot.set(base + url.slice(origin.length));
  }
  return validateDefinition(copy, `${definition.name} with base URL overrides`);
}

function checkBase(provider: string, origin: string, base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  const fail = (why: string) =>
    new PatchbayError('config_invalid', `base URL override for ${provider} (${origin}): ${why}`, {
      details: { provider, origin },
    });
  if (!/^https?:\/\//.test(trimmed)) throw fail('must start with https:// or http:// and a literal host');
  if (/^https?:\/\/[^/]*\$\{/.test(trimmed))
    throw fail('placeholders may appear in the path only, not in the host');
  // checkUrlTemplate also refuses plain http:// unless the host is loopback.
  const problem = checkUrlTemplate(trimmed);
  if (problem) throw fail(problem);
  if (trimmed.includes('?')) throw fail('must not contain a query string');
  return trimmed;
}

type MutableDefinition = { -readonly [K in keyof ProviderDefinition]: ProviderDefinition[K] };

/** Every URL template of a definition, with a setter on the (mutable) copy. */
function urlSlots(def: MutableDefinition): UrlSlot[] {
  const slots: UrlSlot[] = [];
  const add = (path: string, target: Record<string, unknown> | undefined, key: string) => {
    if (!target) return;
    slots.push({
      path,
      get: () => (typeof target[key] === 'string' ? (target[key] as string) : undefined),
      set: (value) => {
        target[key] = value;
      },
    });
  };
  const auth = def.auth as Record<string, unknown>;
  if (def.auth.mode === 'oauth2') {
    add('auth.authorizationUrl', auth, 'authorizationUrl');
    add('auth.tokenUrl', auth, 'tokenUrl');
    add('auth.revokeUrl', auth, 'revokeUrl');
    add('auth.tokenExchange.url', def.auth.tokenExchange as Record<string, unknown> | undefined, 'url');
    add(
      'auth.connectionMetadata.request.url',
      def.auth.connectionMetadata?.request as Record<string, unknown>,
      'url',
    );
  } else if (def.auth.mode === 'oauth2_client_credentials') {
    add('auth.tokenUrl', auth, 'tokenUrl');
  }
  add('proxy.baseUrl', def.proxy as Record<string, unknown> | undefined, 'baseUrl');
  return slots;
}

/**
 * Cross-field checks of a definition: every `${placeholder}` names a value that exists where the
 * template is rendered, secrets never end up in URLs, and every credential is actually sent.
 *
 * Values available to templates, by where they come from:
 * - connection config: the keys of `connectionConfig` (known before authorization);
 * - connection metadata: the keys of `auth.connectionMetadata` (known after the token exchange;
 *   those marked `secret` count as credentials);
 * - credentials: `accessToken`, `refreshToken` (oauth2), `accessToken` (client credentials),
 *   the `fields` keys (api_key), `username`/`password` (basic);
 * - OAuth client: `clientId`, `clientSecret` (oauth2 and client credentials).
 *
 * The OAuth token exchange (`auth.tokenExchange`) is the one request whose query may carry
 * secrets: the provider documents it so, and it never goes through the proxy or its log.
 */
import type { z } from 'zod';
import type { AuthConfig } from './auth.ts';
import type { ConnectionConfigField } from './fields.ts';
import { providerApiConfigKeys } from './provider-api-scheme.ts';
import type { ProxyConfig, RateLimit } from './proxy.ts';
import { templateVariables } from './template.ts';
import type { Webhooks } from './webhooks.ts';

/** Names a definition may not use for its own config, metadata or credential fields. */
export const RESERVED_VALUE_NAMES = [
  'accessToken',
  'refreshToken',
  'clientId',
  'clientSecret',
  'username',
  'password',
];

/** The parts of a parsed definition the checks read. */
export interface ReferenceSubject {
  name: string;
  variantOf?: string | undefined;
  auth: AuthConfig;
  connectionConfig: ConnectionConfigField[];
  proxy?: ProxyConfig | undefined;
  pagination?: unknown;
  rateLimit?: RateLimit | undefined;
  webhooks?: Webhooks | undefined;
}

interface ValueScope {
  config: Set<string>;
  metadata: Set<string>;
  secrets: Set<string>;
  plain: Set<string>;
}

type Path = Array<string | number>;

/** Adds an issue to `ctx` for every broken reference of `def`. */
export function checkReferences(def: ReferenceSubject, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const scope = valueScope(def, issue);
  const configOnly = scope.config;
  const urlSafe = union(scope.config, scope.metadata);
  const everything = union(scope.config, scope.metadata, scope.secrets, scope.plain);
  const use = (template: string | undefined, allowed: Set<string>, path: Path, why: string) => {
    for (const name of safeVariables(template)) {
      if (!allowed.has(name)) issue(path, `\${${name}} is not available here (${why})`);
    }
  };

  const { auth } = def;
  if (auth.mode === 'oauth2') {
    use(
      auth.authorizationUrl,
      configOnly,
      ['auth', 'authorizationUrl'],
      'only connection config is known before authorization',
    );
    use(
      auth.tokenUrl,
      configOnly,
      ['auth', 'tokenUrl'],
      'only connection config is known before the token exchange',
    );
    use(auth.revokeUrl, everything, ['auth', 'revokeUrl'], 'unknown value');
    for (const [key, value] of Object.entries(auth.revokeRequest?.body ?? {})) {
      use(value, everything, ['auth', 'revokeRequest', 'body', key], 'unknown value');
    }
    for (const [key, value] of Object.entries(auth.revokeRequest?.headers ?? {})) {
      use(value, everything, ['auth', 'revokeRequest', 'headers', key], 'unknown value');
    }
    const exchange = auth.tokenExchange;
    if (exchange) {
      use(
        exchange.url,
        configOnly,
        ['auth', 'tokenExchange', 'url'],
        'only connection config is known before the token exchange',
      );
      const known = union(scope.config, ['accessToken', 'clientId', 'clientSecret']);
      for (const part of ['query', 'body', 'headers'] as const) {
        for (const [key, value] of Object.entries(exchange[part])) {
          use(value, known, ['auth', 'tokenExchange', part, key], 'config, the client and accessToken only');
        }
      }
    }
    const request = auth.connectionMetadata?.request;
    if (request) {
      const known = union(scope.config, new Set(Object.keys(auth.connectionMetadata?.tokenResponse ?? {})), [
        'accessToken',
        'clientId',
        'clientSecret',
      ]);
      use(
        request.url,
        known,
        ['auth', 'connectionMetadata', 'request', 'url'],
        'config, token-response metadata and tokens only',
      );
      for (const [key, value] of Object.entries(request.headers)) {
        use(
          value,
          known,
          ['auth', 'connectionMetadata', 'request', 'headers', key],
          'config, token-response metadata and tokens only',
        );
      }
    }
    if (auth.install && !scope.config.has(auth.install.configKey)) {
      issue(['auth', 'install', 'configKey'], `"${auth.install.configKey}" is not a connectionConfig key`);
    }
  }
  if (auth.mode === 'oauth2_client_credentials') {
    use(
      auth.tokenUrl,
      configOnly,
      ['auth', 'tokenUrl'],
      'only connection config is known before the token exchange',
    );
  }
  if (
    (auth.mode === 'api_key' || auth.mode === 'basic' || auth.mode === 'oauth2_client_credentials') &&
    auth.test
  ) {
    use(auth.test.path, urlSafe, ['auth', 'test', 'path'], 'paths take config and metadata, never secrets');
  }

  checkProxy(def, scope, everything, urlSafe, use, issue);
  def.rateLimit?.cases?.forEach((rate, index) => {
    // Matched, never sent: any value of the connection may decide its rate.
    use(rate.when.value, everything, ['rateLimit', 'cases', index, 'when', 'value'], 'unknown value');
  });
  checkWebhooks(def, scope, issue);
  if (def.pagination !== undefined && def.proxy === undefined)
    issue(['pagination'], 'pagination needs a proxy block');
  if (def.variantOf === def.name) issue(['variantOf'], 'a provider cannot be a variant of itself');
}

function checkProxy(
  def: ReferenceSubject,
  scope: ValueScope,
  everything: Set<string>,
  urlSafe: Set<string>,
  use: (template: string | undefined, allowed: Set<string>, path: Path, why: string) => void,
  issue: (path: Path, message: string) => void,
): void {
  const { auth, proxy } = def;
  if (!proxy) {
    if (auth.mode !== 'none') issue(['proxy'], `auth mode ${auth.mode} needs a proxy block`);
    return;
  }
  use(proxy.baseUrl, urlSafe, ['proxy', 'baseUrl'], 'URLs take config and metadata, never secrets');
  const sent = new Set<string>();
  const send = (template: string, path: Path) => {
    use(template, everything, path, 'unknown value');
    for (const name of safeVariables(template)) sent.add(name);
  };
  for (const [key, value] of Object.entries(proxy.headers)) {
    send(typeof value === 'string' ? value : value.value, ['proxy', 'headers', key]);
  }
  for (const [key, value] of Object.entries(proxy.query)) send(value, ['proxy', 'query', key]);
  if (proxy.basicAuth) {
    send(proxy.basicAuth.username, ['proxy', 'basicAuth', 'username']);
    send(proxy.basicAuth.password, ['proxy', 'basicAuth', 'password']);
    // Matched, never sent.
    if (proxy.basicAuth.when)
      use(proxy.basicAuth.when.value, everything, ['proxy', 'basicAuth', 'when', 'value'], 'unknown value');
  }
  if (proxy.oauth1) {
    // The key is sent; the secret only keys the signature, but is what proves the caller.
    send(proxy.oauth1.consumerKey, ['proxy', 'oauth1', 'consumerKey']);
    send(proxy.oauth1.consumerSecret, ['proxy', 'oauth1', 'consumerSecret']);
    if (proxy.oauth1.when)
      use(proxy.oauth1.when.value, everything, ['proxy', 'oauth1', 'when', 'value'], 'unknown value');
  }
  if (auth.mode === 'none') return;
  if (![...scope.secrets].some((name) => sent.has(name))) {
    issue(['proxy'], 'the proxy sends no credential: reference one in headers, query, basicAuth or oauth1');
  }
  if (auth.mode === 'oauth2' && auth.connectionExpiry === 'never') {
    // The claim is that what the proxy sends does not expire: the access token, which does, must
    // not be among it, and a derived credential must.
    if (sent.has('accessToken')) {
      issue(
        ['auth', 'connectionExpiry'],
        "'never' claims the proxy sends no expiring token, but it sends ${accessToken}",
      );
    }
    if (![...derivedSecrets(auth)].some((name) => sent.has(name))) {
      issue(
        ['auth', 'connectionExpiry'],
        "'never' needs the proxy to send a derived credential (a connectionMetadata field marked secret)",
      );
    }
  }
  if (auth.mode === 'api_key') {
    auth.fields.forEach((field, index) => {
      if (field.secret && !sent.has(field.key)) {
        issue(
          ['auth', 'fields', index, 'key'],
          `"${field.key}" is never sent: use it in proxy headers, query or basicAuth`,
        );
      }
    });
  }
  if (auth.mode === 'basic' && !proxy.basicAuth)
    issue(['proxy', 'basicAuth'], 'basic auth needs proxy.basicAuth');
}

function checkWebhooks(
  def: ReferenceSubject,
  scope: ValueScope,
  issue: (path: Path, message: string) => void,
): void {
  const webhooks = def.webhooks;
  if (!webhooks) return;
  const routing = webhooks.routing;
  if (
    (routing.from === 'header' || routing.from === 'body') &&
    !union(scope.config, scope.metadata).has(routing.connectionKey)
  ) {
    issue(
      ['webhooks', 'routing', 'connectionKey'],
      `"${routing.connectionKey}" is not a connection config or metadata key`,
    );
  }
  const verification = webhooks.verification;
  if (verification.scheme === 'provider_api') {
    for (const key of providerApiConfigKeys(verification)) {
      if (!scope.config.has(key)) {
        issue(['webhooks', 'verification', 'request'], `{config:${key}} is not a connectionConfig key`);
      }
    }
    if (!def.proxy)
      issue(['webhooks', 'verification'], 'provider_api calls the provider: it needs a proxy block');
    // The call is made with one connection's credentials: the delivery must name it by its URL.
    if (routing.from !== 'url') {
      issue(
        ['webhooks', 'routing'],
        "provider_api needs routing { from: 'url' } to know whose credentials to use",
      );
    }
  }
  if (
    'secretFrom' in verification &&
    verification.secretFrom === 'client_secret' &&
    def.auth.mode !== 'oauth2' &&
    def.auth.mode !== 'oauth2_client_credentials'
  ) {
    issue(['webhooks', 'verification', 'secretFrom'], 'client_secret needs an OAuth auth mode');
  }
}

function valueScope(def: ReferenceSubject, issue: (path: Path, message: string) => void): ValueScope {
  const scope: ValueScope = { config: new Set(), metadata: new Set(), secrets: new Set(), plain: new Set() };
  const claimed = new Map<string, string>();
  const claim = (name: string, path: Path, owner: string) => {
    if (RESERVED_VALUE_NAMES.includes(name)) issue(path, `"${name}" is reserved for credentials`);
    else if (claimed.has(name)) issue(path, `"${name}" is already used by ${claimed.get(name)}`);
    claimed.set(name, owner);
  };
  def.connectionConfig.forEach((field, index) => {
    claim(field.key, ['connectionConfig', index, 'key'], 'connectionConfig');
    scope.config.add(field.key);
  });
  const { auth } = def;
  if (auth.mode === 'oauth2') {
    for (const [source, fields] of [
      ['tokenResponse', auth.connectionMetadata?.tokenResponse ?? {}],
      ['request', auth.connectionMetadata?.request?.fields ?? {}],
    ] as const) {
      for (const [key, field] of Object.entries(fields)) {
        const path = source === 'tokenResponse' ? [source, key] : [source, 'fields', key];
        claim(key, ['auth', 'connectionMetadata', ...path], 'connectionMetadata');
        (field.secret ? scope.secrets : scope.metadata).add(key);
      }
    }
    addAll(scope.secrets, ['accessToken', 'refreshToken', 'clientSecret']);
    scope.plain.add('clientId');
  } else if (auth.mode === 'oauth2_client_credentials') {
    addAll(scope.secrets, ['accessToken', 'clientSecret']);
    scope.plain.add('clientId');
  } else if (auth.mode === 'api_key') {
    auth.fields.forEach((field, index) => {
      claim(field.key, ['auth', 'fields', index, 'key'], 'a credential field');
      (field.secret ? scope.secrets : scope.plain).add(field.key);
    });
  } else if (auth.mode === 'basic') {
    (auth.username.secret ? scope.secrets : scope.plain).add('username');
    if (auth.password) (auth.password.secret ? scope.secrets : scope.plain).add('password');
  }
  return scope;
}

/** The connection-metadata fields of an OAuth definition marked `secret`: derived credentials. */
function derivedSecrets(auth: AuthConfig<'oauth2'>): Set<string> {
  const names = new Set<string>();
  for (const fields of [
    auth.connectionMetadata?.tokenResponse ?? {},
    auth.connectionMetadata?.request?.fields ?? {},
  ]) {
    for (const [key, field] of Object.entries(fields)) if (field.secret) names.add(key);
  }
  return names;
}

function safeVariables(template: string | undefined): string[] {
  if (template === undefined) return [];
  try {
    return templateVariables(template);
  } catch {
    return []; // malformed templates are reported by their own field's schema
  }
}

function union(...sets: Array<Iterable<string>>): Set<string> {
  const out = new Set<string>();
  for (const set of sets) addAll(out, set);
  return out;
}

function addAll(target: Set<string>, values: Iterable<string>): void {
  for (const value of values) target.add(value);
}

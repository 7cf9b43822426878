/**
 * Contract test of every provider definition in providers/: each one validates, lives in the
 * folder of its name, uses https, renders its templates with example values, refuses injected
 * values, runs against a loopback sandbox through overrides, and has what its pagination and
 * webhook kinds need.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import {
  applyOverrides,
  definitionOrigins,
  loadCatalog,
  logoFile,
  type ProviderDefinition,
  providerApiConfigKeys,
  providerSource,
  renderTemplate,
  templateVariables,
  urlPlaceholderPositions,
  validateDefinition,
} from './index.ts';

const catalog = await loadCatalog();

/** The providers the product must cover (from the seed requirements). */
const REQUIRED = [
  'airtable',
  'amazon-kdp',
  'custom-webhook',
  'facebook-messenger',
  'gmail',
  'google-sheets',
  'gumroad',
  'hubspot',
  'mailchimp',
  'medusajs',
  'paypal',
  'resend',
  'salesforce',
  'sendgrid',
  'shopify',
  'slack',
  'square',
  'stripe',
  'whop',
  'woocommerce',
  'zapier-rest-hooks',
];

const SANDBOX = 'http://127.0.0.1:4010';
const INJECTIONS = ['evil.com/', 'a@b', '..', 'x\nevil.com'];

/** Every URL template of a definition, by field path. */
function urlTemplates(def: ProviderDefinition): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (def.auth.mode === 'oauth2') {
    out.push(['auth.authorizationUrl', def.auth.authorizationUrl], ['auth.tokenUrl', def.auth.tokenUrl]);
    if (def.auth.revokeUrl) out.push(['auth.revokeUrl', def.auth.revokeUrl]);
    const request = def.auth.connectionMetadata?.request;
    if (request) out.push(['auth.connectionMetadata.request.url', request.url]);
  }
  if (def.auth.mode === 'oauth2_client_credentials') out.push(['auth.tokenUrl', def.auth.tokenUrl]);
  if (def.proxy) out.push(['proxy.baseUrl', def.proxy.baseUrl]);
  return out;
}

/** Every text template (headers, query, basic auth, revoke and metadata requests). */
function textTemplates(def: ProviderDefinition): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(def.proxy?.headers ?? {})) {
    out.push([`proxy.headers.${name}`, typeof value === 'string' ? value : value.value]);
  }
  for (const [name, value] of Object.entries(def.proxy?.query ?? {}))
    out.push([`proxy.query.${name}`, value]);
  if (def.proxy?.basicAuth) {
    out.push(
      ['proxy.basicAuth.username', def.proxy.basicAuth.username],
      ['proxy.basicAuth.password', def.proxy.basicAuth.password],
    );
  }
  if (def.auth.mode === 'oauth2') {
    for (const [name, value] of Object.entries(def.auth.revokeRequest?.body ?? {}))
      out.push([`revoke body ${name}`, value]);
    for (const [name, value] of Object.entries(def.auth.revokeRequest?.headers ?? {}))
      out.push([`revoke header ${name}`, value]);
    for (const [name, value] of Object.entries(def.auth.connectionMetadata?.request?.headers ?? {})) {
      out.push([`metadata header ${name}`, value]);
    }
  }
  return out;
}

/** Example values for every value a definition may reference. */
function exampleValues(def: ProviderDefinition): Record<string, string> {
  const values: Record<string, string> = {
    accessToken: 'test-access-token',
    refreshToken: 'test-refresh-token',
    clientId: 'test-client-id',
    clientSecret: 'test-client-secret',
    username: 'test-username',
    password: 'test-password',
  };
  for (const field of def.connectionConfig) values[field.key] = field.default ?? field.example;
  if (def.auth.mode === 'oauth2') {
    const metadata = def.auth.connectionMetadata;
    for (const [key, field] of Object.entries({ ...metadata?.tokenResponse, ...metadata?.request?.fields })) {
      values[key] = field.example;
    }
  }
  if (def.auth.mode === 'api_key') {
    for (const field of def.auth.fields) values[field.key] = field.example ?? `test-${field.key}`;
  }
  return values;
}

function credentialTestPath(def: ProviderDefinition): string | undefined {
  if (def.auth.mode === 'api_key' || def.auth.mode === 'basic') return def.auth.test.path;
  if (def.auth.mode === 'oauth2_client_credentials') return def.auth.test?.path;
  return undefined;
}

function refused(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (error) {
    assert.ok(
      isPatchbayError(error, 'template_value_invalid'),
      `expected template_value_invalid, got ${String(error)}`,
    );
    return true;
  }
}

describe('provider catalog contract', () => {
  it('covers every provider the product needs', () => {
    const missing = REQUIRED.filter((name) => !catalog.has(name));
    assert.deepEqual(missing, []);
    assert.ok(catalog.size >= REQUIRED.length);
  });

  for (const def of catalog.values()) {
    describe(def.name, () => {
      it('validates, and lives in the folder of its name', () => {
        const source = providerSource(def);
        assert.ok(source, 'loaded definitions know their folder');
        assert.equal(basename(source.dir), def.name);
        // Validation is idempotent: a validated definition validates to itself.
        assert.deepEqual(validateDefinition(structuredClone(def)), def);
        if (def.variantOf) assert.ok(catalog.has(def.variantOf), `variantOf ${def.variantOf} exists`);
      });

      it('uses https for every URL and ships its logo', () => {
        assert.match(def.docsUrl, /^https:\/\//);
        for (const [path, url] of urlTemplates(def)) {
          assert.match(
            url,
            /^(https:\/\/|\$\{[A-Za-z][A-Za-z0-9_]*\}\/)/,
            `${path} must be https or an origin placeholder`,
          );
        }
        const file = logoFile(def);
        if (file) assert.match(readFileSync(file, 'utf8'), /^<svg[\s>]/);
        else assert.match(def.logo, /^(https:\/\/|data:image\/)/);
      });

      it('renders every template with example values', () => {
        const values = exampleValues(def);
        for (const [path, template] of urlTemplates(def)) {
          const url = new URL(renderTemplate(template, values));
          assert.equal(url.protocol, 'https:', path);
        }
        for (const [path, template] of textTemplates(def)) {
          assert.doesNotMatch(renderTemplate(template, values, { as: 'text' }), /\$\{/, path);
        }
        const testPath = credentialTestPath(def);
        if (testPath && def.proxy) {
          const url = new URL(renderTemplate(def.proxy.baseUrl + testPath, values));
          assert.equal(url.protocol, 'https:');
        }
        for (const field of def.connectionConfig) {
          if (field.pattern) assert.match(field.example, new RegExp(field.pattern), field.key);
        }
      });

      it('refuses injected values in every placeholder', () => {
        const values = exampleValues(def);
        for (const [path, template] of urlTemplates(def)) {
          const expectedHost = new URL(renderTemplate(template, values)).host;
          for (const { name, position } of urlPlaceholderPositions(template)) {
            for (const evil of INJECTIONS) {
              const render = () => renderTemplate(template, { ...values, [name]: evil });
              if (position !== 'path' || evil === '..' || evil.includes('\n')) {
                assert.ok(refused(render), `${path}: ${name}=${JSON.stringify(evil)} must be refused`);
              } else {
                // Path values are percent-encoded: they can never reach the host.
                assert.equal(new URL(render()).host, expectedHost, `${path}: ${name}`);
              }
            }
          }
        }
        for (const [path, template] of textTemplates(def)) {
          for (const name of templateVariables(template)) {
            assert.ok(
              refused(() =>
                renderTemplate(template, { ...values, [name]: 'x\r\nX-Injected: 1' }, { as: 'text' }),
              ),
              `${path}: ${name}`,
            );
          }
        }
      });

      it('runs against a loopback sandbox through base-URL overrides', () => {
        const origins = definitionOrigins(def);
        if (origins.length === 0) return;
        const sandboxed = applyOverrides(def, { baseUrls: { '*': SANDBOX } });
        const values = exampleValues(def);
        for (const [path, template] of urlTemplates(sandboxed)) {
          assert.ok(template.startsWith(SANDBOX), `${path} → ${template}`);
          assert.equal(
            new URL(renderTemplate(template, values, { allowHttp: true })).hostname,
            '127.0.0.1',
            path,
          );
        }
        // The original stays as it was.
        assert.deepEqual(definitionOrigins(def), origins);
        for (const [, url] of urlTemplates(def)) assert.doesNotMatch(url, /127\.0\.0\.1/);
      });

      it('has what its pagination and webhook kinds need', () => {
        const p = def.pagination;
        if (p) {
          const ok = {
            cursor: () =>
              p.type === 'cursor' &&
              p.cursorParam !== '' &&
              (p.cursorPath ?? p.cursorFromLastItem) !== undefined,
            link_header: () => p.type === 'link_header' && p.rel === 'next',
            offset: () => p.type === 'offset' && p.limit > 0 && p.offsetParam !== p.limitParam,
            page: () => p.type === 'page' && (p.startPage === 0 || p.startPage === 1),
            next_url: () => p.type === 'next_url' && p.nextUrlPath !== '',
            // A provider's own paginator is checked when the script loader loads it.
            custom: () => p.type === 'custom',
          }[p.type]();
          assert.ok(ok, `pagination ${p.type}`);
          if (p.type === 'cursor' && p.cursorFromLastItem)
            assert.ok(p.hasMorePath, 'last-item cursors need hasMorePath');
        }
        const w = def.webhooks;
        if (!w) return;
        const v = w.verification;
        const keys = new Set([...def.connectionConfig.map((f) => f.key), ...Object.keys(exampleValues(def))]);
        if (v.scheme === 'hmac') {
          assert.equal(v.signedContent.split('{body}').length, 2, 'signs the body once');
          if (v.signedContent.includes('{timestamp}')) assert.ok(v.timestamp && v.timestamp.tolerance <= 300);
        }
        if (v.scheme === 'standard_webhooks') assert.equal(v.tolerance, 300);
        if (v.scheme === 'provider_api') {
          assert.ok(def.proxy, 'provider_api calls the provider through the proxy');
          for (const key of providerApiConfigKeys(v)) assert.ok(keys.has(key), `{config:${key}}`);
        }
        if (v.scheme === 'ecdsa_p256') assert.ok(v.header !== v.timestampHeader);
        if ('secretFrom' in v && v.secretFrom === 'client_secret') assert.equal(def.auth.mode, 'oauth2');
        if (w.routing.from === 'header' || w.routing.from === 'body')
          assert.ok(keys.has(w.routing.connectionKey));
        if (w.bodyFormat === 'form') assert.equal(w.batch, undefined, 'form bodies are single events');
      });

      it('rejects unknown keys', () => {
        const copy = structuredClone(def) as unknown as Record<string, Record<string, unknown>>;
        const variants: Array<[string, unknown]> = [
          ['(definition)', { ...copy, extra: true }],
          ['auth', { ...copy, auth: { ...copy.auth, extra: true } }],
        ];
        if (copy.proxy) variants.push(['proxy', { ...copy, proxy: { ...copy.proxy, extra: true } }]);
        if (copy.pagination)
          variants.push(['pagination', { ...copy, pagination: { ...copy.pagination, extra: true } }]);
        if (copy.webhooks) {
          const webhooks = copy.webhooks as Record<string, Record<string, unknown>>;
          variants.push([
            'webhooks.verification',
            { ...copy, webhooks: { ...webhooks, verification: { ...webhooks.verification, extra: true } } },
          ]);
        }
        for (const [path, input] of variants) {
          assert.throws(
            () => validateDefinition(input),
            (error) => {
              assert.ok(isPatchbayError(error, 'provider_definition_invalid'));
              const issues = (error.details as { issues: Array<{ path: string; message: string }> }).issues;
              assert.ok(
                issues.some((i) => i.path === path && /Unrecognized key: "extra"/.test(i.message)),
                path,
              );
              return true;
            },
          );
        }
      });
    });
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import {
  checkTextTemplate,
  checkUrlTemplate,
  parseTemplate,
  renderTemplate,
  type TemplateValues,
  templateOrigin,
  templateVariables,
  urlPlaceholderPositions,
} from './template.ts';

function refusal(
  template: string,
  values: TemplateValues,
  as?: 'url' | 'text',
): { variable?: string; reason: string } {
  try {
    renderTemplate(template, values, as ? { as } : {});
  } catch (error) {
    assert.ok(
      isPatchbayError(error, 'template_value_invalid'),
      `expected template_value_invalid, got ${String(error)}`,
    );
    return error.details as { variable?: string; reason: string };
  }
  assert.fail(`expected ${JSON.stringify(values)} to be refused in ${template}`);
}

describe('parseTemplate', () => {
  it('splits text and placeholders', () => {
    assert.deepEqual(parseTemplate('https://${shop}/admin'), [
      { kind: 'text', text: 'https://' },
      { kind: 'var', name: 'shop' },
      { kind: 'text', text: '/admin' },
    ]);
    assert.deepEqual(templateVariables('${a}-${b}-${a}'), ['a', 'b']);
    assert.deepEqual(parseTemplate('cost: $5'), [{ kind: 'text', text: 'cost: $5' }]);
  });

  it('refuses malformed placeholders', () => {
    assert.throws(() => parseTemplate('https://${shop/admin'), { code: 'provider_definition_invalid' });
    assert.throws(() => parseTemplate('${1abc}'), { code: 'provider_definition_invalid' });
    assert.throws(() => parseTemplate('${a.b}'), { code: 'provider_definition_invalid' });
  });
});

describe('URL template analysis', () => {
  it('names origins', () => {
    assert.equal(templateOrigin('https://api.stripe.com/v1'), 'https://api.stripe.com');
    assert.equal(templateOrigin('https://${shop}/admin/oauth/authorize'), 'https://${shop}');
    assert.equal(templateOrigin('https://${dc}.api.mailchimp.com/3.0'), 'https://${dc}.api.mailchimp.com');
    assert.equal(templateOrigin('${storeUrl}/wp-json/wc/v3'), '${storeUrl}');
    assert.equal(templateOrigin('http://127.0.0.1:4010'), 'http://127.0.0.1:4010');
  });

  it('knows where each placeholder sits', () => {
    assert.deepEqual(urlPlaceholderPositions('https://${dc}.api.mailchimp.com/3.0/lists/${listId}?q=${q}'), [
      { name: 'dc', position: 'host' },
      { name: 'listId', position: 'path' },
      { name: 'q', position: 'path' },
    ]);
    assert.deepEqual(urlPlaceholderPositions('${instanceUrl}/services/data'), [
      { name: 'instanceUrl', position: 'origin' },
    ]);
  });

  it('accepts https and loopback http only', () => {
    assert.equal(checkUrlTemplate('https://api.example.com/v1'), undefined);
    assert.equal(checkUrlTemplate('http://127.0.0.1:4010/x'), undefined);
    assert.equal(checkUrlTemplate('http://localhost:4010'), undefined);
    assert.equal(checkUrlTemplate('http://[::1]:4010'), undefined);
    assert.match(checkUrlTemplate('http://api.example.com') ?? '', /must use https/);
    assert.match(checkUrlTemplate('ftp://x.example.com') ?? '', /must start with https/);
    assert.match(checkUrlTemplate('https://user@api.example.com') ?? '', /no user info/);
    assert.match(checkUrlTemplate('https://API.example.com') ?? '', /lowercase/);
    assert.match(checkUrlTemplate('https://api.example.com/a b') ?? '', /whitespace/);
    assert.match(checkUrlTemplate('https://api.example.com/#x') ?? '', /fragment/);
    assert.match(checkUrlTemplate('${base}api') ?? '', /followed by a path/);
    assert.match(checkUrlTemplate('https://:8080/x') ?? '', /must name a host/);
    assert.match(checkUrlTemplate('https:///x') ?? '', /must name a host/);
    assert.match(checkTextTemplate('Bearer ${token') ?? '', /unclosed/);
  });
});

describe('renderTemplate', () => {
  it('renders hosts, origins, paths and text', () => {
    assert.equal(
      renderTemplate('https://${shop}/admin/api/2025-07', { shop: 'acme.myshopify.com' }),
      'https://acme.myshopify.com/admin/api/2025-07',
    );
    assert.equal(
      renderTemplate('https://${dc}.api.mailchimp.com/3.0', { dc: 'us6' }),
      'https://us6.api.mailchimp.com/3.0',
    );
    assert.equal(
      renderTemplate('${storeUrl}/wp-json/wc/v3', { storeUrl: 'https://shop.example.com/store/' }),
      'https://shop.example.com/store/wp-json/wc/v3',
    );
    assert.equal(
      renderTemplate('https://api.example.com/companies/${id}?q=${q}', { id: 'a b/c', q: 'x&y=z' }),
      'https://api.example.com/companies/a%20b%2Fc?q=x%26y%3Dz',
    );
    assert.equal(
      renderTemplate('Bearer ${accessToken}', { accessToken: 'tok_123' }, { as: 'text' }),
      'Bearer tok_123',
    );
  });

  it('refuses missing and empty values, naming the variable', () => {
    assert.deepEqual(refusal('https://${shop}/admin', {}), { variable: 'shop', reason: 'missing' });
    assert.deepEqual(refusal('https://${shop}/admin', { shop: '' }), { variable: 'shop', reason: 'missing' });
    assert.deepEqual(refusal('Bearer ${accessToken}', {}, 'text'), {
      variable: 'accessToken',
      reason: 'missing',
    });
    // Inherited properties are not values.
    assert.deepEqual(refusal('https://x.example.com/${constructor}', {}), {
      variable: 'constructor',
      reason: 'missing',
    });
  });

  it('refuses host-position values that would change the host', () => {
    for (const value of [
      'evil.com/',
      'a@b',
      '..',
      'evil.com\nx',
      'evil.com:80',
      'evil.com?x',
      'evil.com#',
      'EVIL.com',
      '-a.com',
      'a..b',
    ]) {
      assert.deepEqual(
        refusal('https://${shop}/admin', { shop: value }),
        { variable: 'shop', reason: 'invalid_host' },
        value,
      );
    }
    assert.deepEqual(refusal('https://${dc}.api.mailchimp.com/3.0', { dc: 'evil.com/' }), {
      variable: 'dc',
      reason: 'invalid_host',
    });
  });

  it('refuses origin values that are not plain https URLs', () => {
    const template = '${instanceUrl}/services/data';
    for (const [value, reason] of [
      ['evil.com/', 'invalid_url'],
      ['https://a@b.example.com', 'invalid_url'],
      ['https://a.example.com/..', 'invalid_path_segment'],
      ['https://a.example.com/%2e%2e', 'invalid_path_segment'],
      ['https://a.example.com\n', 'control_character'],
      ['https://a.example.com?x=1', 'invalid_url'],
      ['https://EVIL.example.com', 'invalid_host'],
      ['https://a.example.com:99999', 'invalid_host'],
      ['javascript:alert(1)', 'invalid_url'],
      ['http://a.example.com', 'insecure_url'],
    ] as const) {
      assert.deepEqual(refusal(template, { instanceUrl: value }), { variable: 'instanceUrl', reason }, value);
    }
    assert.equal(
      renderTemplate(template, { instanceUrl: 'http://127.0.0.1:4020' }, { allowHttp: true }),
      'http://127.0.0.1:4020/services/data',
    );
  });

  it('encodes path values and refuses dot segments and control characters', () => {
    assert.equal(
      renderTemplate('https://api.example.com/x/${id}', { id: 'evil.com/' }),
      'https://api.example.com/x/evil.com%2F',
    );
    assert.equal(
      renderTemplate('https://api.example.com/x/${id}', { id: 'a@b' }),
      'https://api.example.com/x/a%40b',
    );
    assert.deepEqual(refusal('https://api.example.com/x/${id}', { id: '..' }), {
      variable: 'id',
      reason: 'invalid_path_segment',
    });
    assert.deepEqual(refusal('https://api.example.com/x/${id}', { id: 'a\nb' }), {
      variable: 'id',
      reason: 'control_character',
    });
  });

  it('refuses header injection in text templates', () => {
    for (const value of ['tok\r\nX-Evil: 1', 'tok\n', 'tok\u0000']) {
      assert.deepEqual(refusal('Bearer ${accessToken}', { accessToken: value }, 'text'), {
        variable: 'accessToken',
        reason: 'control_character',
      });
    }
  });

  it('never puts the refused value in the error', () => {
    try {
      renderTemplate('Bearer ${accessToken}', { accessToken: 'sk_live_secret\n' }, { as: 'text' });
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(isPatchbayError(error, 'template_value_invalid'));
      assert.doesNotMatch(error.message, /sk_live_secret/);
      assert.doesNotMatch(JSON.stringify(error.details), /sk_live_secret/);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import { validateDefinition } from './define.ts';
import { familyHead, familyName, methodLabel } from './families.ts';
import { loadCatalog } from './registry.ts';
import type { ProviderDefinition } from './schema.ts';

const builtin = await loadCatalog();

/** A built-in definition as validated data, with `extra` over it. */
function builtinWith(name: string, extra: Record<string, unknown> = {}): ProviderDefinition {
  return validateDefinition({ ...builtin.get(name)!, ...extra });
}

describe('provider families', () => {
  it('names a variant by its parent and any other provider by itself', () => {
    assert.equal(familyName(builtin.get('stripe-api-key')!), 'stripe');
    assert.equal(familyName(builtin.get('stripe')!), 'stripe');
    assert.equal(familyName(builtin.get('whop-oauth')!), 'whop');
    assert.equal(familyHead(builtin, builtin.get('stripe-api-key')!).name, 'stripe');
    assert.equal(familyHead(builtin, builtin.get('shopify')!).name, 'shopify');
  });

  it('labels Stripe’s two ways as the seed product does', () => {
    assert.equal(methodLabel(builtin.get('stripe')!, 'Stripe'), 'Connect with Stripe');
    assert.equal(methodLabel(builtin.get('stripe-api-key')!, 'Stripe'), 'Use my own keys');
    // The family's name, not the variant's own "Whop (OAuth)".
    assert.equal(
      methodLabel(builtin.get('whop-oauth')!, familyHead(builtin, builtin.get('whop-oauth')!).displayName),
      'Connect with Whop',
    );
  });

  it('defaults the label by auth mode, naming the family', () => {
    const paypal = builtin.get('paypal')!;
    const cases: Array<[ProviderDefinition, string]> = [
      [builtin.get('gumroad')!, 'Connect with Acme'],
      [builtin.get('resend')!, 'Enter API key'],
      [builtin.get('woocommerce')!, 'Enter credentials'],
      [builtin.get('custom-webhook')!, 'Connect Acme'],
      // Client credentials the end user pastes, or the integration's own: one click.
      [paypal, 'Enter client credentials'],
      [
        { ...paypal, auth: { ...paypal.auth, credentialsFrom: 'integration' } } as ProviderDefinition,
        'Connect with Acme',
      ],
    ];
    for (const [definition, label] of cases)
      assert.equal(methodLabel(definition, 'Acme'), label, definition.name);
  });

  it('takes a declared label, trimmed, and refuses an empty or overlong one', () => {
    assert.equal(
      methodLabel(builtinWith('resend', { methodLabel: '  Paste a key ' }), 'Resend'),
      'Paste a key',
    );
    for (const bad of ['', '   ', 'x'.repeat(41)]) {
      assert.throws(
        () => builtinWith('resend', { methodLabel: bad }),
        (error) => isPatchbayError(error, 'provider_definition_invalid') && /methodLabel/.test(error.message),
      );
    }
  });
});

/**
 * The generic hmac scheme against the providers' documented algorithms, with the docs' own worked
 * examples where they publish one (GitHub, Slack), using the catalog's real definitions; then the
 * parameters no preset uses (other algorithms, list formats, millisecond timestamps, secret encodings).
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import {
  type Catalog,
  getProvider,
  loadCatalog,
  type WebhookVerification,
  webhookVerificationSchema,
} from '../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../types.ts';
import { verifyDelivery } from './index.ts';

let catalog: Catalog;
before(async () => {
  catalog = await loadCatalog();
});

function verificationOf(provider: string): WebhookVerification {
  const webhooks = getProvider(catalog, provider).webhooks;
  assert.ok(webhooks, `${provider} declares webhooks`);
  return webhooks.verification;
}

function code(result: VerificationResult): string {
  return result.ok ? 'ok' : result.code;
}

function withHeader(delivery: IncomingDelivery, name: string, value: string): IncomingDelivery {
  return { ...delivery, headers: { ...delivery.headers, [name]: value } };
}

function withBody(delivery: IncomingDelivery, body: string): IncomingDelivery {
  return { ...delivery, rawBody: Buffer.from(body, 'utf8') };
}

describe('GitHub-style x-hub-signature-256 (facebook-messenger definition)', () => {
  // docs.github.com "Validating webhook deliveries", "Testing the webhook payload validation".
  const secret = "It's a Secret to Everybody";
  const delivery = incomingDelivery({
    url: 'https://patchbay.example/webhooks/prod/facebook-messenger',
    headers: {
      'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    },
    body: 'Hello, World!',
    receivedAt: 0,
  });

  it("accepts GitHub's documented test values", async () => {
    assert.equal(code(await verifyDelivery(verificationOf('facebook-messenger'), delivery, [secret])), 'ok');
  });

  it('rejects a tampered body, a wrong secret, a missing prefix and a missing header', async () => {
    const v = verificationOf('facebook-messenger');
    assert.equal(
      code(await verifyDelivery(v, withBody(delivery, 'Hello, World?'), [secret])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(v, delivery, ["It's a secret to everybody"])),
      'webhook_signature_invalid',
    );
    const bare = withHeader(
      delivery,
      'x-hub-signature-256',
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    assert.equal(code(await verifyDelivery(v, bare, [secret])), 'webhook_signature_invalid');
    const upper = withHeader(
      delivery,
      'x-hub-signature-256',
      'sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17',
    );
    assert.equal(code(await verifyDelivery(v, upper, [secret])), 'ok');
    assert.equal(
      code(await verifyDelivery(v, { ...delivery, headers: {} }, [secret])),
      'webhook_signature_missing',
    );
  });
});

describe('Slack v0 signatures (slack definition)', () => {
  // api.slack.com "Verifying requests from Slack": the documented example request.
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const timestamp = 1531420618;
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const delivery = incomingDelivery({
    url: 'https://patchbay.example/webhooks/prod/slack',
    headers: {
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    },
    body,
    receivedAt: timestamp * 1000 + 5_000,
  });

  it("accepts Slack's documented example", async () => {
    assert.equal(code(await verifyDelivery(verificationOf('slack'), delivery, [secret])), 'ok');
  });

  it('rejects a tampered body, a changed timestamp and a stale one', async () => {
    const v = verificationOf('slack');
    assert.equal(
      code(await verifyDelivery(v, withBody(delivery, body.replace('foobar', 'foobaz')), [secret])),
      'webhook_signature_invalid',
    );
    const moved = withHeader(delivery, 'x-slack-request-timestamp', String(timestamp + 1));
    assert.equal(code(await verifyDelivery(v, moved, [secret])), 'webhook_signature_invalid');
    const late = { ...delivery, receivedAt: (timestamp + 301) * 1000 };
    assert.equal(code(await verifyDelivery(v, late, [secret])), 'webhook_timestamp_invalid');
    const early = { ...delivery, receivedAt: (timestamp - 301) * 1000 };
    assert.equal(code(await verifyDelivery(v, early, [secret])), 'webhook_timestamp_invalid');
    const noTimestamp = {
      ...delivery,
      headers: { 'x-slack-signature': delivery.headers['x-slack-signature'] ?? '' },
    };
    assert.equal(code(await verifyDelivery(v, noTimestamp, [secret])), 'webhook_signature_missing');
    const garbledTime = withHeader(delivery, 'x-slack-request-timestamp', 'yesterday');
    assert.equal(code(await verifyDelivery(v, garbledTime, [secret])), 'webhook_signature_invalid');
  });
});

describe('Shopify X-Shopify-Hmac-Sha256 (shopify definition)', () => {
  // shopify.dev "Verify webhooks": base64 HMAC-SHA256 of the raw body keyed by the app's client secret.
  const secret = 'shpss_0123456789abcdef0123456789abcdef';
  const body = '{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00"}';
  const hmac = createHmac('sha256', secret).update(body, 'utf8').digest('base64');
  const delivery = incomingDelivery({
    url: 'https://patchbay.example/webhooks/prod/shopify',
    headers: { 'X-Shopify-Hmac-Sha256': hmac, 'X-Shopify-Topic': 'orders/create' },
    body,
    receivedAt: 0,
  });

  it('accepts the documented algorithm', async () => {
    assert.equal(code(await verifyDelivery(verificationOf('shopify'), delivery, [secret])), 'ok');
  });

  it('rejects tampered bodies, hex digests and truncated ones', async () => {
    const v = verificationOf('shopify');
    assert.equal(
      code(await verifyDelivery(v, withBody(delivery, body.replace('403.00', '4.00')), [secret])),
      'webhook_signature_invalid',
    );
    const hex = withHeader(
      delivery,
      'x-shopify-hmac-sha256',
      createHmac('sha256', secret).update(body).digest('hex'),
    );
    assert.equal(code(await verifyDelivery(v, hex, [secret])), 'webhook_signature_invalid');
    const truncated = withHeader(delivery, 'x-shopify-hmac-sha256', `${hmac.slice(0, 40)}`);
    assert.equal(code(await verifyDelivery(v, truncated, [secret])), 'webhook_signature_invalid');
  });
});

describe('WooCommerce and Airtable (secret encodings)', () => {
  it('WooCommerce: base64 HMAC of the body with the webhook secret as text', async () => {
    const secret = 'woo secret';
    const body = '{"id":1,"status":"processing"}';
    const delivery = incomingDelivery({
      url: 'https://patchbay.example/webhooks/prod/woocommerce/c1',
      headers: { 'X-WC-Webhook-Signature': createHmac('sha256', secret).update(body).digest('base64') },
      body,
      receivedAt: 0,
    });
    assert.equal(code(await verifyDelivery(verificationOf('woocommerce'), delivery, [secret])), 'ok');
    assert.equal(
      code(await verifyDelivery(verificationOf('woocommerce'), withBody(delivery, `${body}\n`), [secret])),
      'webhook_signature_invalid',
    );
  });

  it('Airtable: hmac-sha256=<hex> keyed by the base64-decoded macSecretBase64', async () => {
    const key = randomBytes(32);
    const secret = key.toString('base64');
    const body = '{"base":{"id":"app1"},"webhook":{"id":"ach1"},"timestamp":"2026-01-01T00:00:00.000Z"}';
    const delivery = incomingDelivery({
      url: 'https://patchbay.example/webhooks/prod/airtable/c1',
      headers: {
        'X-Airtable-Content-MAC': `hmac-sha256=${createHmac('sha256', key).update(body).digest('hex')}`,
      },
      body,
      receivedAt: 0,
    });
    assert.equal(code(await verifyDelivery(verificationOf('airtable'), delivery, [secret])), 'ok');
    // The base64 text itself as the key is wrong.
    const asText = withHeader(
      delivery,
      'x-airtable-content-mac',
      `hmac-sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    );
    assert.equal(
      code(await verifyDelivery(verificationOf('airtable'), asText, [secret])),
      'webhook_signature_invalid',
    );
  });
});

describe('signedContent with {url} and {method}', () => {
  it('signs the full URL and the upper-case method', async () => {
    const v = webhookVerificationSchema.parse({
      scheme: 'hmac',
      header: 'x-sig',
      encoding: 'hex',
      signedContent: '{method} {url}\n{body}',
    });
    const url = 'https://patchbay.example/webhooks/prod/x?a=1';
    const body = '{}';
    const sig = createHmac('sha256', 's').update(`POST ${url}\n${body}`).digest('hex');
    const delivery = incomingDelivery({
      method: 'post',
      url,
      headers: { 'x-sig': sig },
      body,
      receivedAt: 0,
    });
    assert.equal(code(await verifyDelivery(v, delivery, ['s'])), 'ok');
    const otherUrl = { ...delivery, url: new URL('https://patchbay.example/webhooks/prod/x?a=2') };
    assert.equal(code(await verifyDelivery(v, otherUrl, ['s'])), 'webhook_signature_invalid');
  });
});

describe('hmac parameters beyond the presets', () => {
  const body = '{"id":"evt_9","amount":1200}';
  const at = 1_767_225_600_000;

  it('computes SHA-1 and SHA-512 digests as the definition says', async () => {
    for (const algorithm of ['sha1', 'sha512'] as const) {
      const v = webhookVerificationSchema.parse({
        scheme: 'hmac',
        header: 'x-sig',
        encoding: 'base64',
        algorithm,
      });
      const sig = createHmac(algorithm, 'k').update(body).digest('base64');
      const delivery = incomingDelivery({
        url: 'https://p.example/w',
        headers: { 'x-sig': sig },
        body,
        receivedAt: at,
      });
      assert.equal(code(await verifyDelivery(v, delivery, ['k'])), 'ok', algorithm);
      // The same bytes under SHA-256 are not the same signature.
      const sha256 = withHeader(delivery, 'x-sig', createHmac('sha256', 'k').update(body).digest('base64'));
      assert.equal(code(await verifyDelivery(v, sha256, ['k'])), 'webhook_signature_invalid', algorithm);
    }
  });

  it('reads a list with its own separator and key, the timestamp in ms from the list', async () => {
    const v = webhookVerificationSchema.parse({
      scheme: 'hmac',
      header: 'x-sig',
      encoding: 'hex',
      signature: { format: 'list', separator: ';', key: 'sig' },
      signedContent: '{timestamp}:{body}',
      timestamp: { from: 'signature', key: 'ts', unit: 'ms', tolerance: 60 },
    });
    const good = createHmac('sha256', 'k').update(`${at}:${body}`).digest('hex');
    const header = `ts=${at}; sig=${'ab'.repeat(32)}; sig=${good}`;
    const delivery = incomingDelivery({
      url: 'https://p.example/w',
      headers: { 'x-sig': header },
      body,
      receivedAt: at + 59_000,
    });
    assert.equal(code(await verifyDelivery(v, delivery, ['k'])), 'ok');
    assert.equal(
      code(await verifyDelivery(v, { ...delivery, receivedAt: at + 61_000 }, ['k'])),
      'webhook_timestamp_invalid',
    );
    const noTimestamp = withHeader(delivery, 'x-sig', `sig=${good}`);
    assert.equal(code(await verifyDelivery(v, noTimestamp, ['k'])), 'webhook_signature_invalid');
  });

  it('keys by a whsec_ base64 secret when secretEncoding says so', async () => {
    const key = randomBytes(24);
    const secret = `whsec_${key.toString('base64')}`;
    const v = webhookVerificationSchema.parse({
      scheme: 'hmac',
      header: 'x-sig',
      encoding: 'base64',
      secretEncoding: 'whsec_base64',
    });
    const delivery = incomingDelivery({
      url: 'https://p.example/w',
      headers: { 'x-sig': createHmac('sha256', key).update(body).digest('base64') },
      body,
      receivedAt: at,
    });
    assert.equal(code(await verifyDelivery(v, delivery, [secret])), 'ok');
    // Keyed by the secret's text instead: another key.
    const asText = withHeader(delivery, 'x-sig', createHmac('sha256', secret).update(body).digest('base64'));
    assert.equal(code(await verifyDelivery(v, asText, [secret])), 'webhook_signature_invalid');
  });

  it('lets a definition override a preset field by field', async () => {
    const v = webhookVerificationSchema.parse({
      scheme: 'hmac',
      preset: 'slack',
      timestamp: { tolerance: 30 },
    });
    assert.ok(v.scheme === 'hmac' && v.timestamp?.from === 'header');
    assert.deepEqual(v.timestamp, {
      from: 'header',
      header: 'x-slack-request-timestamp',
      unit: 's',
      tolerance: 30,
    });
    assert.equal(v.preset, 'slack');
  });
});

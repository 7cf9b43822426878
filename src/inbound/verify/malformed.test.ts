/**
 * Malformed input never throws out of the verifiers (it is a rejection, never a 500), and
 * readEventMeta fails only with `webhook_payload_invalid` or `json_too_deep`. Property-based, over every catalog
 * definition, with headers that look almost right.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import { type Catalog, loadCatalog, providerApiConfigKeys, type Webhooks } from '../../catalog/index.ts';
import { isPatchbayError } from '../../errors/index.ts';
import type { VerifyDeps } from '../types.ts';
import { answerHandshake, readEventMeta, signatureHeaders, verifyDelivery } from './index.ts';

let definitions: { name: string; webhooks: Webhooks }[];
before(async () => {
  const catalog: Catalog = await loadCatalog();
  definitions = [...catalog.values()].flatMap((d) =>
    d.webhooks ? [{ name: d.name, webhooks: d.webhooks }] : [],
  );
});

/** The header names any definition reads, so generated headers hit the parsing code. */
function namesOf(webhooks: Webhooks): string[] {
  return [
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
    'svix-id',
    'svix-timestamp',
    'svix-signature',
    ...signatureHeaders(webhooks.verification),
  ];
}

const headerValue = fc.oneof(
  fc.string(),
  fc.constantFrom(
    't=1,v1=zz',
    't=,v1=',
    'v1,',
    'v1,====',
    'sha256=',
    'v0=abc',
    '99999999999999999999',
    '-1',
    'hmac-sha256=0g',
  ),
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('base64')),
  fc.uint8Array({ maxLength: 40 }).map((b) => `sha256=${Buffer.from(b).toString('hex')}`),
);
const body = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.json(),
  fc.constantFrom(
    '{"type":"url_verification"}',
    '[]',
    '{"entry":5}',
    'a=1&a=2&__proto__=x',
    '\uFEFF{}',
    `{"entry":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  ),
);

describe('malformed deliveries', () => {
  it('are rejected, never thrown, by verifyDelivery; readEventMeta throws only coded payload errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.dictionary(fc.string(), headerValue, { maxKeys: 4 }),
        fc.array(headerValue, { minLength: 12, maxLength: 12 }),
        body,
        fc.constantFrom('GET', 'POST', 'put'),
        fc.constantFrom(
          'https://p.example/w/x',
          'https://p.example/w/x?token=%E0%A4%A&hub.mode=subscribe',
          'https://p.example/w/%ZZ',
        ),
        async (pick, extra, values, raw, method, url) => {
          const { name, webhooks } = definitions[pick % definitions.length] ?? assert.fail('no definitions');
          const headers: Record<string, string> = { ...extra };
          namesOf(webhooks).forEach((n, i) => {
            if (values[i] !== undefined && i % 2 === pick % 2) headers[n] = values[i] ?? '';
          });
          const delivery = incomingDelivery({
            method,
            url,
            headers,
            body: raw,
            receivedAt: 1_767_225_600_000,
          });
          // A provider that answers, but never says yes.
          const v = webhooks.verification;
          const deps: VerifyDeps = {
            connectionConfig:
              v.scheme === 'provider_api'
                ? Object.fromEntries(providerApiConfigKeys(v).map((key) => [key, 'wh']))
                : {},
            providerRequest: async () => ({ status: 200, text: '{}' }),
          };
          const result = await verifyDelivery(
            webhooks.verification,
            delivery,
            ['secret', 'whsec_c2VjcmV0'],
            deps,
          );
          assert.equal(result.ok, false, `${name} accepted a malformed delivery`);
          answerHandshake(webhooks, delivery, ['secret']);
          try {
            readEventMeta(webhooks, delivery);
          } catch (err) {
            assert.ok(
              isPatchbayError(err, 'webhook_payload_invalid') || isPatchbayError(err, 'json_too_deep'),
              `${name}: ${String(err)}`,
            );
          }
        },
      ),
      { numRuns: 2000, seed: 20260101 },
    );
  });
});

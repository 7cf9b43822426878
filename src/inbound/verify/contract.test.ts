/**
 * The round-trip contract: every provider definition in the catalog that declares `webhooks`
 * gets a sample delivery (JSON or form per `bodyFormat`, with the event id, type and routing
 * value at the declared paths or headers), signed by sandbox/webhooks/sign.ts; verifyDelivery
 * accepts it, rejects it once one body byte is flipped (url_token: once the token is wrong), and
 * readEventMeta finds the id and type it was given. `provider_api` definitions are asked through
 * the sandbox's stand-in of their provider's verification API.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  deliveryUrl,
  incomingDelivery,
  providerApiStandIn,
  sampleSecret,
  signDelivery,
} from '../../../sandbox/webhooks/index.ts';
import { type Catalog, loadCatalog, providerApiConfigKeys, type Webhooks } from '../../catalog/index.ts';
import type { IncomingDelivery, VerifyDeps } from '../types.ts';
import { readEventMeta, verifyDelivery } from './index.ts';

const NOW = 1_767_225_600_000;
const EVENT_ID = 'evt_contract_0001';
const EVENT_TYPE = 'contract.sample_event';
const ROUTE_VALUE = 'acct_contract_42';
const CONFIG_VALUE = 'WH-CONTRACT-1';

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next))
      node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys.at(-1) ?? path] = value;
}

interface Sample {
  body: string;
  headers: Record<string, string>;
}

function samplePayload(webhooks: Webhooks): Sample {
  const item: Record<string, unknown> = { note: 'contract sample', amount: 1999 };
  const headers: Record<string, string> = {};
  if (webhooks.eventIdPath) setPath(item, webhooks.eventIdPath, EVENT_ID);
  if (webhooks.eventIdHeader) headers[webhooks.eventIdHeader] = EVENT_ID;
  if (webhooks.eventTypePath) setPath(item, webhooks.eventTypePath, EVENT_TYPE);
  if (webhooks.eventTypeHeader) headers[webhooks.eventTypeHeader] = EVENT_TYPE;
  if (webhooks.routing.from === 'body') setPath(item, webhooks.routing.path, ROUTE_VALUE);
  if (webhooks.routing.from === 'header') headers[webhooks.routing.header] = ROUTE_VALUE;

  if (webhooks.bodyFormat === 'form') {
    assert.equal(webhooks.batch, undefined, 'form bodies carry one event');
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(item)) {
      assert.equal(typeof value === 'object', false, `form field paths are flat: ${key}`);
      form.set(key, String(value));
    }
    return { body: form.toString(), headers };
  }
  let document: unknown = item;
  if (webhooks.batch?.itemsPath === '$') document = [item];
  else if (webhooks.batch) {
    const wrapper: Record<string, unknown> = { object: 'batch' };
    setPath(wrapper, webhooks.batch.itemsPath, [item]);
    document = wrapper;
  }
  return { body: JSON.stringify(document), headers };
}

function flipOneByte(delivery: IncomingDelivery): IncomingDelivery {
  const rawBody = Buffer.from(delivery.rawBody);
  const at = Math.floor(rawBody.length / 2);
  rawBody[at] = (rawBody[at] ?? 0) ^ 0x01;
  return { ...delivery, rawBody };
}

let catalog: Catalog;
before(async () => {
  catalog = await loadCatalog();
});

describe('webhook round-trip contract for every catalog definition', () => {
  it('finds definitions that declare webhooks', () => {
    assert.ok([...catalog.values()].some((d) => d.webhooks));
  });

  it('signs, verifies, rejects a flipped byte and reads the event meta of each definition', async () => {
    const checked: string[] = [];
    for (const definition of catalog.values()) {
      const webhooks = definition.webhooks;
      if (!webhooks) continue;
      const name = definition.name;
      const verification = webhooks.verification;
      const secret = sampleSecret(verification);
      const sample = samplePayload(webhooks);
      const url = deliveryUrl(verification, `https://patchbay.example/webhooks/prod/${name}`, secret.sign);
      const connectionConfig =
        verification.scheme === 'provider_api'
          ? Object.fromEntries(providerApiConfigKeys(verification).map((key) => [key, CONFIG_VALUE]))
          : {};
      const signed = signDelivery(verification, {
        body: sample.body,
        secret: secret.sign,
        url,
        timestamp: NOW,
        id: EVENT_ID,
        provider: name,
        connectionConfig,
      });
      const delivery = incomingDelivery({
        url,
        headers: { ...sample.headers, ...signed },
        body: sample.body,
        receivedAt: NOW + 1_000,
      });
      const providerCalls: unknown[] = [];
      const deps: VerifyDeps = {
        connectionConfig,
        providerRequest: async (request) => {
          providerCalls.push(request.body);
          const answer = providerApiStandIn(name).answer(request.body, secret.sign);
          return { status: 200, text: JSON.stringify(answer) };
        },
      };

      assert.deepEqual(
        await verifyDelivery(verification, delivery, [secret.verify], deps),
        { ok: true },
        `${name}: signed sample verifies`,
      );

      if (verification.scheme === 'url_token') {
        const wrong = {
          ...delivery,
          url: deliveryUrl(verification, `https://patchbay.example/webhooks/prod/${name}`, 'wrong-token'),
        };
        const result = await verifyDelivery(verification, wrong, [secret.verify], deps);
        assert.equal(
          result.ok ? 'ok' : result.code,
          'webhook_token_invalid',
          `${name}: wrong token rejected`,
        );
      } else {
        const result = await verifyDelivery(verification, flipOneByte(delivery), [secret.verify], deps);
        assert.equal(result.ok, false, `${name}: flipped byte rejected`);
        const other = sampleSecret(verification);
        const wrongSecret = await verifyDelivery(verification, delivery, [other.verify], deps);
        // A provider_api delivery is checked by the provider, not with a secret of ours.
        if (verification.scheme !== 'provider_api')
          assert.equal(wrongSecret.ok, false, `${name}: other secret rejected`);
      }
      if (verification.scheme === 'provider_api') {
        assert.ok(providerCalls.length > 0, `${name}: the provider was asked`);
        assert.ok(
          JSON.stringify(providerCalls[0]).includes(CONFIG_VALUE),
          `${name}: asked with the connection's config value`,
        );
      }

      const events = readEventMeta(webhooks, delivery);
      assert.equal(events.length, 1, `${name}: one event`);
      const [event] = events;
      let expectedId = webhooks.eventIdPath || webhooks.eventIdHeader ? EVENT_ID : null;
      // A header id of a batch delivery is made unique per item.
      if (webhooks.batch && !webhooks.eventIdPath && expectedId) expectedId = `${expectedId}#0`;
      const expectedType = webhooks.eventTypePath || webhooks.eventTypeHeader ? EVENT_TYPE : null;
      assert.equal(event?.providerEventId, expectedId, `${name}: event id`);
      assert.equal(event?.eventType, expectedType, `${name}: event type`);
      checked.push(name);
    }
    const declared = [...catalog.values()].filter((d) => d.webhooks).map((d) => d.name);
    assert.deepEqual(checked, declared);
    assert.ok(checked.length >= 16, `checked ${checked.join(', ')}`);
  });
});

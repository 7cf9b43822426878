/**
 * Whop's answers as `whopRequest` reads them: JSON through, Whop's error body to stable codes with
 * Whop's own type kept, and a connection without its company refused before any call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError, type ScriptContext } from '../../src/scripts/index.ts';
import { companyOf, whopRequest } from './api.ts';

function contextAnswering(status: number, body: string): { ctx: ScriptContext; sent: unknown[] } {
  const sent: unknown[] = [];
  const ctx = {
    connection: { config: {} },
    signal: new AbortController().signal,
    proxy: {
      async request(request: unknown) {
        sent.push(request);
        return { status, headers: {}, text: async () => body, attempts: 1 };
      },
    },
  } as unknown as ScriptContext;
  return { ctx, sent };
}

async function refusal(status: number, body: string): Promise<{ code: string; details: unknown }> {
  const { ctx } = contextAnswering(status, body);
  try {
    await whopRequest(ctx, { method: 'POST', path: '/memberships/mem_1/cancel', body: {} });
  } catch (error) {
    assert.ok(isPatchbayError(error));
    return { code: error.code, details: error.details };
  }
  throw new Error('expected a refusal');
}

describe('whopRequest', () => {
  it('sends JSON and answers the parsed body', async () => {
    const { ctx, sent } = contextAnswering(200, '{"id":"mem_1","status":"canceled"}');
    const answer = await whopRequest<{ status: string }>(ctx, {
      method: 'POST',
      path: '/memberships/mem_1/cancel',
      body: { cancellation_mode: 'immediate' },
    });
    assert.equal(answer.status, 'canceled');
    assert.deepEqual((sent[0] as { body: unknown }).body, { json: { cancellation_mode: 'immediate' } });
  });

  it("maps Whop's refusals to stable codes, keeping Whop's type", async () => {
    assert.deepEqual(
      await refusal(429, '{"error":{"type":"rate_limit_exceeded","message":"Try again in 12 seconds."}}'),
      { code: 'rate_limited', details: { status: 429, code: 'rate_limit_exceeded' } },
    );
    assert.deepEqual(await refusal(404, '{"error":{"type":"not_found","message":"Membership not found"}}'), {
      code: 'not_found',
      details: { status: 404, code: 'not_found' },
    });
    assert.deepEqual(
      await refusal(422, '{"error":{"code":"invalid_request","message":"Missing required parameter"}}'),
      { code: 'provider_error', details: { status: 422, code: 'invalid_request' } },
    );
    assert.deepEqual(await refusal(502, '<html>bad gateway</html>'), {
      code: 'provider_response_invalid',
      details: { status: 502 },
    });
  });

  it('needs the connection’s company id', () => {
    assert.equal(companyOf({ connection: { config: { companyId: 'biz_1' } } }), 'biz_1');
    assert.throws(() => companyOf({ connection: { config: {} } }), { code: 'invalid_request' });
  });
});

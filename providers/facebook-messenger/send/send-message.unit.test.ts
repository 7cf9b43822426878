// send-message without an engine: the input rules, the Send API JSON it builds (compared with the
// shapes of Meta's Send API reference and template pages, written out by hand), and how each
// Graph error is classified. The engine and emulator runs are in ../send-message.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/logger/index.ts';
import type { ProviderRequest, ProviderResponse } from '../../../src/proxy/types.ts';
import type { ActionContext } from '../../../src/scripting/types.ts';
import { isPatchbayError } from '../../../src/scripts/index.ts';
import action from '../actions/send-message.ts';
import { sendMessageInput } from './payload.ts';
import { classifyRefusal } from './refusals.ts';

const PAGE_ID = '104862345678901';
const PSID = '24681357902468135';
const URL_ = 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x';

interface Run {
  requests: ProviderRequest[];
  events: Array<{ type: string; data: unknown }>;
  output?: unknown;
  error?: unknown;
}

function answer(status: number, body: unknown): ProviderResponse {
  const text = JSON.stringify(body);
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: new Blob([text]).stream(),
    attempts: 1,
    text: async () => text,
    json: async <T>() => JSON.parse(text) as T,
  };
}

/** Runs the action's exec as the runner would (input parsed first) against a canned answer. */
async function run(input: unknown, status = 200, body: unknown = { recipient_id: PSID, message_id: 'm_1' }) {
  const result: Run = { requests: [], events: [] };
  const ctx = {
    connection: {
      id: 'conn_1',
      environmentId: 'env_1',
      integrationId: 'int_1',
      provider: 'facebook-messenger',
      endUserId: 'seller-1',
      config: { pageId: PAGE_ID },
      metadata: {},
    },
    proxy: {
      request: async (request: ProviderRequest) => {
        result.requests.push(request);
        return answer(status, body);
      },
      getJson: async () => assert.fail('not used'),
      sendJson: async () => assert.fail('not used'),
    },
    paginate: () => assert.fail('not used'),
    log: createLogger({ level: 'silent' }),
    signal: new AbortController().signal,
    runId: 'act_1',
    idempotencyKey: null,
    events: { emit: (type: string, data: unknown) => result.events.push({ type, data }) },
  } as unknown as ActionContext;
  try {
    result.output = await action.exec(ctx, sendMessageInput.parse(input));
  } catch (error) {
    result.error = error;
  }
  return result;
}

function jsonOf(request: ProviderRequest | undefined): unknown {
  assert.ok(request, 'a request was sent');
  return (request.body as { json: unknown }).json;
}

describe('send-message: the Send API request', () => {
  it('sends plain text to a PSID as RESPONSE on POST /{page-id}/messages', async () => {
    const { requests } = await run({ recipient: { psid: PSID }, text: 'Thanks for watching!' });
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.method, 'POST');
    assert.equal(requests[0]?.path, `/${PAGE_ID}/messages`);
    assert.deepEqual(jsonOf(requests[0]), {
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'Thanks for watching!' },
    });
  });

  it('sends a checkout link as a button template', async () => {
    const { requests } = await run({
      recipient: { psid: PSID },
      text: 'Your order from the show: 2 items, $42.00',
      url: URL_,
      buttonTitle: 'Pay $42.00',
    });
    assert.deepEqual(jsonOf(requests[0]), {
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: 'Your order from the show: 2 items, $42.00',
            buttons: [{ type: 'web_url', url: URL_, title: 'Pay $42.00' }],
          },
        },
      },
    });
  });

  it('sends a card as a generic template, tagged, silently', async () => {
    const { requests } = await run({
      recipient: { psid: PSID },
      text: 'Blue mug and teapot',
      url: URL_,
      card: { title: 'Your order: $42.00', imageUrl: 'https://cdn.example.com/mug.png' },
      tag: 'POST_PURCHASE_UPDATE',
      notificationType: 'SILENT_PUSH',
    });
    assert.deepEqual(jsonOf(requests[0]), {
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'POST_PURCHASE_UPDATE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'generic',
            elements: [
              {
                title: 'Your order: $42.00',
                subtitle: 'Blue mug and teapot',
                image_url: 'https://cdn.example.com/mug.png',
                default_action: { type: 'web_url', url: URL_ },
                buttons: [{ type: 'web_url', url: URL_, title: 'Open checkout' }],
              },
            ],
          },
        },
      },
      notification_type: 'SILENT_PUSH',
    });
  });

  it('answers a comment with a private reply (recipient.comment_id)', async () => {
    const { requests, output } = await run({
      recipient: { commentId: '987_654' },
      text: 'Sent you the link!',
    });
    assert.deepEqual(jsonOf(requests[0]), {
      recipient: { comment_id: '987_654' },
      messaging_type: 'RESPONSE',
      message: { text: 'Sent you the link!' },
    });
    // Meta answers with the commenter's PSID: the host can message them later by it.
    assert.deepEqual(output, {
      status: 'sent',
      messageId: 'm_1',
      recipientId: PSID,
      recipient: { psid: PSID, commentId: '987_654' },
      buyerRef: null,
    });
  });
});

describe('send-message: input rules', () => {
  const invalid = (input: unknown) => {
    const parsed = sendMessageInput.safeParse(input);
    assert.equal(parsed.success, false, `expected ${JSON.stringify(input).slice(0, 120)} to be refused`);
    return parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
  };

  it('takes exactly one recipient', () => {
    assert.match(invalid({ recipient: { psid: PSID, commentId: '1_2' }, text: 'x' }).join(), /exactly one/);
    assert.match(invalid({ recipient: {}, text: 'x' }).join(), /exactly one/);
    invalid({ recipient: { psid: 'abc' }, text: 'x' });
  });

  it('holds the documented limits, in characters', () => {
    assert.equal(
      sendMessageInput.safeParse({ recipient: { psid: PSID }, text: '😀'.repeat(2000) }).success,
      true,
    );
    assert.match(invalid({ recipient: { psid: PSID }, text: 'a'.repeat(2001) }).join(), /2000/);
    assert.match(invalid({ recipient: { psid: PSID }, text: 'a'.repeat(641), url: URL_ }).join(), /640/);
    assert.match(
      invalid({ recipient: { psid: PSID }, text: 'a', url: URL_, buttonTitle: 'b'.repeat(21) }).join(),
      /20/,
    );
    assert.match(
      invalid({ recipient: { psid: PSID }, text: 'a'.repeat(81), url: URL_, card: { title: 't' } }).join(),
      /subtitle/,
    );
    invalid({ recipient: { psid: PSID }, text: '   ' });
  });

  it('refuses links that are not http(s) and buttons without a link', () => {
    invalid({ recipient: { psid: PSID }, text: 'a', url: 'javascript:alert(1)' });
    assert.match(invalid({ recipient: { psid: PSID }, text: 'a', buttonTitle: 'Pay' }).join(), /url/);
    assert.match(invalid({ recipient: { psid: PSID }, text: 'a', card: { title: 't' } }).join(), /url/);
  });

  it('pairs MESSAGE_TAG with one of the current tags', () => {
    invalid({ recipient: { psid: PSID }, text: 'a', messagingType: 'MESSAGE_TAG' });
    invalid({ recipient: { psid: PSID }, text: 'a', messagingType: 'RESPONSE', tag: 'ACCOUNT_UPDATE' });
    invalid({ recipient: { psid: PSID }, text: 'a', tag: 'SHIPPING_UPDATE' });
  });
});

describe('send-message: refusals', () => {
  const graph = (code: number, subcode?: number, extra: object = {}) => ({
    error: {
      message: `(#${code}) refused`,
      type: 'OAuthException',
      code,
      error_subcode: subcode,
      fbtrace_id: 'A1',
      ...extra,
    },
  });
  const reason = (status: number, body: unknown) => {
    const refusal = classifyRefusal(status, body);
    return refusal.kind === 'fallback' ? refusal.reason : `error:${refusal.transient}`;
  };

  it('maps Graph codes to fallback reasons', () => {
    assert.equal(reason(400, graph(10, 2018278)), 'outside_window');
    assert.equal(reason(400, graph(10903)), 'outside_window');
    assert.equal(reason(400, graph(551, 1545041)), 'blocked');
    assert.equal(reason(403, graph(230)), 'permission_missing');
    assert.equal(reason(403, graph(210)), 'permission_missing');
    assert.equal(reason(400, graph(10)), 'permission_missing');
    assert.equal(reason(400, graph(190, 463)), 'token_expired');
    assert.equal(reason(400, graph(190, 460)), 'token_expired');
    assert.equal(reason(400, graph(100, 2018001)), 'recipient_unavailable');
    assert.equal(reason(400, graph(100, 33)), 'recipient_unavailable');
    assert.equal(reason(400, graph(10900)), 'rejected');
    assert.equal(reason(400, graph(10, 1893063)), 'rejected');
    assert.equal(reason(400, graph(100)), 'rejected');
  });

  it('leaves passing failures to a retry, not to the operator', () => {
    for (const code of [1, 2, 4, 17, 32, 613, 80006])
      assert.equal(reason(400, graph(code)), 'error:true', `#${code}`);
    assert.equal(reason(400, graph(100, undefined, { is_transient: true })), 'error:true');
    assert.equal(reason(500, graph(2)), 'error:true');
    assert.equal(reason(503, '<html>busy</html>'), 'error:true');
    assert.equal(reason(403, '<html>denied</html>'), 'error:false');
  });

  it('returns and emits the fallback with the text, link and buyer', async () => {
    const { output, events, error } = await run(
      { recipient: { psid: PSID }, text: 'Pay here', url: URL_, buyerRef: 'buyer_17' },
      400,
      graph(10, 2018278),
    );
    assert.equal(error, undefined);
    const fallback = {
      reason: 'outside_window',
      providerError: { code: '10', subcode: '2018278', message: '(#10) refused' },
      recipient: { psid: PSID, commentId: null },
      buyerRef: 'buyer_17',
      text: 'Pay here',
      url: URL_,
    };
    assert.deepEqual(output, { status: 'fallback_required', ...fallback });
    assert.deepEqual(events, [{ type: 'message.fallback_required', data: fallback }]);
  });

  it('does not buffer an answer far larger than any Send API answer', async () => {
    const { error, events } = await run({ recipient: { psid: PSID }, text: 'x' }, 200, {
      message_id: 'm_1',
      padding: 'x'.repeat(100_000),
    });
    assert.ok(isPatchbayError(error) && error.code === 'provider_response_invalid', String(error));
    assert.deepEqual(events, []);
  });

  it('throws provider_error, transient, for throttling, and emits nothing', async () => {
    const { error, events } = await run({ recipient: { psid: PSID }, text: 'x' }, 400, graph(613));
    assert.ok(isPatchbayError(error) && error.code === 'provider_error');
    assert.equal((error.details as { transient: boolean }).transient, true);
    assert.deepEqual(events, []);
  });
});

/**
 * send-message end to end: an engine in this process, a seller's Page connected over Facebook
 * Login to the Messenger emulator, and the action run through the API. Meta's rules are the
 * emulator's (FACTS.md): the 24-hour window, message tags, one private reply per comment,
 * blocked people, lost permissions, expired tokens, throttling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JsonAnswer } from '../../test/support/library-engine.ts';
import { type MessengerWorld, startMessengerWorld } from '../../test/support/messenger-world.ts';

const HOUR = 3_600_000;
const CHECKOUT = 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x';

describe('facebook-messenger send-message', () => {
  let world: MessengerWorld;
  let connectionId: string;

  before(async () => {
    world = await startMessengerWorld({ engine: { config: { apiRateLimit: 1_000_000 } } });
    connectionId = world.connectionId;
  });
  after(() => world?.close());

  const control = () => world.messenger.control;

  async function send(input: Record<string, unknown>, connection = connectionId): Promise<JsonAnswer> {
    return world.engine.call('POST', `/v1/connections/${connection}/actions/send-message`, { input });
  }

  /** The run's output, after checking it succeeded. */
  async function sendOk(input: Record<string, unknown>, connection?: string) {
    const run = await send(input, connection);
    assert.equal(run.status, 200, run.text);
    assert.equal(run.body.status, 'succeeded', run.text);
    return run.body.output;
  }

  /** The `message.*` events of one buyer, oldest first. */
  async function eventsOf(buyerRef: string) {
    const answer = await world.engine.call('GET', '/v1/events?type=message.*&limit=200');
    assert.equal(answer.status, 200, answer.text);
    return (answer.body.data as Array<{ type: string; data: Record<string, unknown> }>).filter(
      (event) => event.data.buyerRef === buyerRef,
    );
  }

  /** A buyer who wrote to the Page `hoursAgo` hours ago. */
  async function buyer(hoursAgo: number) {
    const person = control().addUser();
    await control().userMessages(person.psid, 'I want the blue one', { at: Date.now() - hoursAgo * HOUR });
    return person.psid;
  }

  const sentTo = (psid: string) =>
    control()
      .sent()
      .filter((message) => message.recipientId === psid);

  it('delivers a checkout link inside the 24-hour window and emits message.sent', async () => {
    const psid = await buyer(1);
    const output = await sendOk({
      recipient: { psid },
      text: 'Thanks for shopping the show! Your total is $42.00.',
      url: CHECKOUT,
      buttonTitle: 'Pay $42.00',
      buyerRef: 'buyer_1',
    });
    assert.equal(output.status, 'sent');
    assert.equal(output.recipientId, psid);
    const [message, ...more] = sentTo(psid);
    assert.equal(more.length, 0);
    assert.equal(message?.messageId, output.messageId);
    assert.equal(message?.messagingType, 'RESPONSE');
    assert.deepEqual(message?.message, {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Thanks for shopping the show! Your total is $42.00.',
          buttons: [{ type: 'web_url', url: CHECKOUT, title: 'Pay $42.00' }],
        },
      },
    });
    const events = await eventsOf('buyer_1');
    assert.deepEqual(
      events.map((event) => event.type),
      ['message.sent'],
    );
    assert.equal(events[0]?.data.messageId, output.messageId);
    assert.deepEqual(events[0]?.data.recipient, { psid, commentId: null });
    assert.equal(events[0]?.data.url, CHECKOUT);
    assert.equal(events[0]?.data.connectionId, connectionId);
  });

  it('delivers a card (generic template) with the link', async () => {
    const psid = await buyer(2);
    await sendOk({
      recipient: { psid },
      text: 'Blue mug, teapot',
      url: CHECKOUT,
      card: { title: 'Your order: $42.00', imageUrl: 'https://cdn.example.com/mug.png' },
    });
    const [message] = sentTo(psid);
    assert.ok(message, 'the card reached the emulator');
    const payload = (message.message.attachment as { payload: Record<string, unknown> }).payload;
    assert.equal(payload.template_type, 'generic');
    assert.deepEqual((payload.elements as Array<Record<string, unknown>>)[0]?.default_action, {
      type: 'web_url',
      url: CHECKOUT,
    });
  });

  it('outside the window: fallback_required with the text, link and buyer, nothing sent', async () => {
    const psid = await buyer(25);
    const output = await sendOk({
      recipient: { psid },
      text: 'Your total is $42.00.',
      url: CHECKOUT,
      buyerRef: 'buyer_2',
    });
    const fallback = {
      reason: 'outside_window',
      providerError: {
        code: '10',
        subcode: '2018278',
        message: output.providerError.message,
      },
      recipient: { psid, commentId: null },
      buyerRef: 'buyer_2',
      text: 'Your total is $42.00.',
      url: CHECKOUT,
    };
    assert.deepEqual(output, { status: 'fallback_required', ...fallback });
    assert.match(output.providerError.message, /outside of allowed window/);
    assert.equal(sentTo(psid).length, 0);
    const events = await eventsOf('buyer_2');
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'message.fallback_required');
    const { connectionId: eventConnection, provider, ...data } = events[0]?.data ?? {};
    assert.equal(eventConnection, connectionId);
    assert.equal(provider, 'facebook-messenger');
    for (const [key, value] of Object.entries(fallback)) assert.deepEqual(data[key], value, key);
  });

  it('outside the window with a message tag: delivered', async () => {
    const psid = await buyer(30);
    const output = await sendOk({
      recipient: { psid },
      text: 'Your invoice is ready.',
      url: CHECKOUT,
      tag: 'POST_PURCHASE_UPDATE',
    });
    assert.equal(output.status, 'sent');
    assert.equal(sentTo(psid)[0]?.tag, 'POST_PURCHASE_UPDATE');
    assert.equal(sentTo(psid)[0]?.messagingType, 'MESSAGE_TAG');
  });

  it('a buyer who blocked the Page: fallback blocked', async () => {
    const psid = await buyer(1);
    control().block(psid);
    const output = await sendOk({
      recipient: { psid },
      text: 'Pay here',
      url: CHECKOUT,
      buyerRef: 'buyer_3',
    });
    assert.equal(output.status, 'fallback_required');
    assert.equal(output.reason, 'blocked');
    assert.equal(output.providerError.code, '551');
    assert.equal(sentTo(psid).length, 0);
    assert.deepEqual(
      (await eventsOf('buyer_3')).map((event) => [event.type, event.data.reason]),
      [['message.fallback_required', 'blocked']],
    );
  });

  it('an unknown PSID: fallback recipient_unavailable', async () => {
    const output = await sendOk({ recipient: { psid: '999000111222333' }, text: 'Pay here' });
    assert.equal(output.reason, 'recipient_unavailable');
    assert.deepEqual([output.providerError.code, output.providerError.subcode], ['100', '2018001']);
  });

  it('answers a live-video comment with one private reply; a second is a fallback', async () => {
    const person = control().addUser();
    const { commentId } = await control().comment({ psid: person.psid, text: 'SOLD 3' });
    const first = await sendOk({
      recipient: { commentId },
      text: 'Here is your checkout link',
      url: CHECKOUT,
      buyerRef: 'buyer_4',
    });
    assert.equal(first.status, 'sent');
    // Meta answers with the commenter's PSID.
    assert.deepEqual(first.recipient, { psid: person.psid, commentId });
    const [reply] = sentTo(person.psid);
    assert.deepEqual(reply?.recipient, { comment_id: commentId });

    const second = await sendOk({
      recipient: { commentId },
      text: 'Reminder',
      url: CHECKOUT,
      buyerRef: 'buyer_4',
    });
    assert.equal(second.status, 'fallback_required');
    assert.equal(second.reason, 'rejected');
    assert.equal(second.providerError.code, '10900');
    assert.equal(sentTo(person.psid).length, 1);
    assert.deepEqual(
      (await eventsOf('buyer_4')).map((event) => event.type),
      ['message.sent', 'message.fallback_required'],
    );
  });

  it('a comment older than 7 days: fallback outside_window', async () => {
    const person = control().addUser();
    const { commentId } = await control().comment({
      psid: person.psid,
      text: 'SOLD 5',
      at: Date.now() - 8 * 24 * HOUR,
    });
    const output = await sendOk({ recipient: { commentId }, text: 'Here is your link', url: CHECKOUT });
    assert.equal(output.reason, 'outside_window');
    assert.equal(output.providerError.code, '10903');
  });

  it('refuses invalid input with 400 action_input_invalid, storing and sending nothing', async () => {
    const psid = await buyer(1);
    const before = control().sent().length;
    const runsBefore = (await world.engine.call('GET', '/v1/action-runs?limit=200')).body.data.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ recipient: { psid }, text: 'x'.repeat(2001) }, 'text'],
      [{ recipient: { psid, commentId: '1_2' }, text: 'Pay here' }, 'recipient'],
      [
        { recipient: { psid }, text: 'Pay', url: CHECKOUT, buttonTitle: 'A button title too long' },
        'buttonTitle',
      ],
    ];
    for (const [input, field] of cases) {
      const answer = await send(input);
      assert.equal(answer.status, 400, answer.text);
      assert.equal(answer.body.error.code, 'action_input_invalid', answer.text);
      assert.deepEqual(
        answer.body.error.details.issues.map((issue: { path: string }) => issue.path),
        [field],
        answer.text,
      );
    }
    assert.equal(control().sent().length, before);
    assert.equal((await world.engine.call('GET', '/v1/action-runs?limit=200')).body.data.length, runsBefore);
  });

  it('throttling and server faults fail the run (provider_error, transient) without a fallback', async () => {
    const psid = await buyer(1);
    for (const arm of [() => control().faults.rateLimit(1), () => control().faults.serverErrors(1)]) {
      arm();
      const run = await send({ recipient: { psid }, text: 'Pay here', buyerRef: 'buyer_5' });
      assert.equal(run.status, 200, run.text);
      assert.equal(run.body.status, 'failed');
      assert.equal(run.body.error.code, 'provider_error');
      assert.equal(run.body.error.details.transient, true);
    }
    assert.equal(sentTo(psid).length, 0);
    assert.deepEqual(await eventsOf('buyer_5'), []);
    // The same message, sent again once Graph answers: delivered.
    assert.equal(
      (await sendOk({ recipient: { psid }, text: 'Pay here', buyerRef: 'buyer_5' })).status,
      'sent',
    );
  });

  it('a lost pages_messaging permission: fallback permission_missing', async () => {
    const psid = await buyer(1);
    control().revokePermission('pages_messaging');
    try {
      const output = await sendOk({ recipient: { psid }, text: 'Pay here', url: CHECKOUT });
      assert.equal(output.reason, 'permission_missing');
      assert.equal(output.providerError.code, '230');
    } finally {
      control().grantPermission('pages_messaging');
    }
  });

  it('an expired Page token: fallback token_expired, and the connection turns reauth_required', async () => {
    const psid = await buyer(1);
    control().expireTokens();
    const output = await sendOk({
      recipient: { psid },
      text: 'Pay here',
      url: CHECKOUT,
      buyerRef: 'buyer_6',
    });
    assert.equal(output.status, 'fallback_required');
    assert.equal(output.reason, 'token_expired');
    assert.deepEqual([output.providerError.code, output.providerError.subcode], ['190', '463']);
    assert.deepEqual(
      (await eventsOf('buyer_6')).map((event) => [event.type, event.data.reason]),
      [['message.fallback_required', 'token_expired']],
    );
    // The definition's credentialsRejected rule reads Graph's 190: a Page token has no refresh,
    // so the connection needs its seller, and says so with connection.reauth_required.
    const connection = await world.engine.call('GET', `/v1/connections/${connectionId}`);
    assert.equal(connection.body.status, 'reauth_required', connection.text);
    const reauth = await world.engine.call('GET', '/v1/events?type=connection.reauth_required');
    assert.deepEqual(
      reauth.body.data.map((event: { data: { connectionId: string } }) => event.data.connectionId),
      [connectionId],
    );
    // Later sends fail at once, without asking Meta.
    const refused = await send({ recipient: { psid }, text: 'Pay here', url: CHECKOUT });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.error.code, 'connection_reauth_required');

    // The seller connects again: the new Page token sends.
    const reconnected = await world.connect();
    const again = await sendOk({ recipient: { psid }, text: 'Pay here', url: CHECKOUT }, reconnected);
    assert.equal(again.status, 'sent');
  });
});

/**
 * The Send API's rules: sends inside the 24-hour window, message tags outside it, and each
 * documented refusal with its code and subcode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MessengerSandbox, startMessengerSandbox } from './server.ts';
import { DAY, graph, graphError, HOUR, login, TestClock } from './test-helpers.ts';

const text = (value: string) => ({ text: value });

describe('Send API on the Messenger sandbox', () => {
  let fb: MessengerSandbox;
  let token: string;
  const clock = new TestClock();

  before(async () => {
    fb = await startMessengerSandbox({ clock });
    token = fb.issuePageToken();
  });
  after(() => fb.close());

  const send = (body: Record<string, unknown>, pageToken = token, path = '/me/messages') =>
    graph(fb, 'POST', path, { token: pageToken, json: body });
  const codes = (answer: Awaited<ReturnType<typeof send>>) => [
    answer.status,
    graphError(answer).code,
    graphError(answer).error_subcode,
  ];

  it('sends inside the 24-hour window, by JSON or form, to /me or /{page-id}', async () => {
    const buyer = fb.control.addUser({ name: 'Ada' });
    assert.equal(fb.control.addUser(buyer.psid).name, 'Ada', 'adding a known PSID returns that person');
    await fb.control.userMessages(buyer.psid, 'Is the blue one left?');
    clock.advance(23 * HOUR);

    const json = await send({
      recipient: { id: buyer.psid },
      messaging_type: 'RESPONSE',
      message: text('Yes! Pay here: https://shop.example/c/1'),
    });
    assert.equal(json.status, 200);
    assert.equal(json.body.recipient_id, buyer.psid);
    assert.match(json.body.message_id as string, /^m_/);

    // The Send API reference's own curl example: form fields with single-quoted JSON.
    const form = await graph(fb, 'POST', `/${fb.page.id}/messages`, {
      token,
      tokenInQuery: true,
      form: {
        recipient: `{'id':'${buyer.psid}'}`,
        messaging_type: 'UPDATE',
        message: "{'text':'hello, world'}",
      },
    });
    assert.equal(form.status, 200, JSON.stringify(form.body));

    const sent = fb.control.sent().slice(-2);
    assert.deepEqual(
      sent.map((message) => [message.recipientId, message.messagingType, message.message]),
      [
        [buyer.psid, 'RESPONSE', text('Yes! Pay here: https://shop.example/c/1')],
        [buyer.psid, 'UPDATE', { text: 'hello, world' }],
      ],
    );
    assert.equal(sent[0]?.at, clock.now());
    assert.equal(fb.stats.byRoute['POST /{page-id}/messages'], 2);
  });

  it('refuses RESPONSE and UPDATE 24 hours after the last message (10/2018278)', async () => {
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'hi');
    clock.advance(24 * HOUR);
    for (const type of ['RESPONSE', 'UPDATE']) {
      const answer = await send({
        recipient: { id: buyer.psid },
        messaging_type: type,
        message: text('late'),
      });
      assert.deepEqual(codes(answer), [400, 10, 2018278]);
      assert.match(
        graphError(answer).message as string,
        /^\(#10\) This message is sent outside of allowed window/,
      );
    }
    // A new message from the person opens the window again.
    await fb.control.userMessages(buyer.psid, 'still there?');
    const answer = await send({
      recipient: { id: buyer.psid },
      messaging_type: 'RESPONSE',
      message: text('yes'),
    });
    assert.equal(answer.status, 200);
  });

  it('sends tagged messages outside the window; HUMAN_AGENT only within 7 days', async () => {
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'where is my parcel?');
    clock.advance(3 * DAY);
    const tagged = (tag: string) =>
      send({ recipient: { id: buyer.psid }, messaging_type: 'MESSAGE_TAG', tag, message: text('update') });
    for (const tag of ['POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'HUMAN_AGENT']) {
      assert.equal((await tagged(tag)).status, 200, tag);
    }
    clock.advance(4 * DAY);
    assert.deepEqual(codes(await tagged('HUMAN_AGENT')), [400, 10, 2018278]);
    assert.equal((await tagged('POST_PURCHASE_UPDATE')).status, 200);

    const retired = await tagged('SHIPPING_UPDATE');
    assert.deepEqual(codes(retired), [400, 100, undefined]);
    assert.match(graphError(retired).message as string, /^\(#100\) Param tag must be one of/);
    const missing = await send({
      recipient: { id: buyer.psid },
      messaging_type: 'MESSAGE_TAG',
      message: text('x'),
    });
    assert.equal(graphError(missing).code, 100);
    assert.deepEqual(fb.control.sent().at(-1)?.tag, 'POST_PURCHASE_UPDATE');
  });

  it('refuses a person who never wrote to the Page, even with a tag', async () => {
    const stranger = fb.control.addUser();
    const answer = await send({
      recipient: { id: stranger.psid },
      messaging_type: 'MESSAGE_TAG',
      tag: 'POST_PURCHASE_UPDATE',
      message: text('hi'),
    });
    assert.deepEqual(codes(answer), [400, 10, 2018278]);
  });

  it('refuses a person who blocked the Page (551/1545041) and an unknown PSID (100/2018001)', async () => {
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'hi');
    fb.control.block(buyer.psid);
    const blocked = await send({
      recipient: { id: buyer.psid },
      messaging_type: 'RESPONSE',
      message: text('x'),
    });
    assert.deepEqual(codes(blocked), [400, 551, 1545041]);
    assert.equal(graphError(blocked).message, "(#551) This person isn't available right now.");
    fb.control.unblock(buyer.psid);
    assert.equal(
      (await send({ recipient: { id: buyer.psid }, messaging_type: 'RESPONSE', message: text('x') })).status,
      200,
    );

    const unknown = await send({
      recipient: { id: '1234567890123456' },
      messaging_type: 'RESPONSE',
      message: text('x'),
    });
    assert.deepEqual(codes(unknown), [400, 100, 2018001]);
    assert.equal(graphError(unknown).message, '(#100) No matching user found');
  });

  it('refuses without pages_messaging (230), with a User token (210) and for another Page', async () => {
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'hi');
    const body = { recipient: { id: buyer.psid }, messaging_type: 'RESPONSE', message: text('x') };

    fb.control.revokePermission('pages_messaging');
    const revoked = await send(body);
    assert.deepEqual(codes(revoked), [403, 230, undefined]);
    assert.equal(
      graphError(revoked).message,
      '(#230) Requires pages_messaging permission to manage the object',
    );
    // The person grants it again by logging in again (the reconnect a fallback asks for).
    const userToken = await login(fb);
    const page = await graph(fb, 'GET', `/${fb.page.id}`, {
      token: userToken,
      query: { fields: 'access_token' },
    });
    assert.equal((await send(body, page.body.access_token as string)).status, 200);
    assert.equal((await send(body)).status, 200, "the permission is the app's, not one token's");
    fb.control.revokePermission('pages_messaging');
    fb.control.grantPermission('pages_messaging');
    assert.equal((await send(body)).status, 200);

    const withoutScope = fb.issuePageToken({ scopes: ['pages_show_list'] });
    assert.equal(graphError(await send(body, withoutScope)).code, 230);
    assert.deepEqual(codes(await send(body, fb.issueUserToken({ longLived: true }))), [403, 210, undefined]);
    assert.deepEqual(codes(await send(body, token, '/999999999999999/messages')), [400, 100, 33]);
  });

  it('refuses a missing, unknown or expired token with code 190 and its subcodes', async () => {
    const body = { recipient: { id: '1' }, messaging_type: 'RESPONSE', message: text('x') };
    assert.equal(graphError(await graph(fb, 'POST', '/me/messages', { json: body })).code, 2500);
    assert.deepEqual(codes(await send(body, 'EAAunknown')), [400, 190, undefined]);

    const doomed = fb.issuePageToken();
    fb.control.invalidateTokens('password_changed');
    assert.deepEqual(codes(await send(body, doomed)), [400, 190, 460]);
    assert.deepEqual(codes(await send(body, token)), [400, 190, 460]);
    // A later invalidation gives every earlier token its reason.
    fb.control.invalidateTokens('logged_out');
    assert.deepEqual(codes(await send(body, doomed)), [400, 190, 467]);

    token = fb.issuePageToken();
    fb.control.expireTokens();
    assert.deepEqual(codes(await send(body, token)), [400, 190, 463]);
    token = fb.issuePageToken();
  });

  it('validates parameters with code 100 before sending anything', async () => {
    const before = fb.control.sent().length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ messaging_type: 'RESPONSE', message: text('x') }, /The parameter recipient is required/],
      [{ recipient: { id: '1' }, message: text('x') }, /The parameter messaging_type is required/],
      [
        { recipient: { id: '1' }, messaging_type: 'PROMO', message: text('x') },
        /Param messaging_type must be one of/,
      ],
      [
        { recipient: { id: '1', comment_id: '2' }, messaging_type: 'RESPONSE', message: text('x') },
        /exactly one of/,
      ],
      [{ recipient: { id: '1' }, messaging_type: 'RESPONSE' }, /The parameter message is required/],
      [
        { recipient: { id: '1' }, messaging_type: 'RESPONSE', message: text('x'.repeat(2001)) },
        /at most 2000/,
      ],
      [
        { recipient: { id: '1' }, messaging_type: 'RESPONSE', message: {} },
        /exactly one of text or attachment/,
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await send(body);
      assert.deepEqual(codes(answer), [400, 100, undefined], JSON.stringify(body));
      assert.match(graphError(answer).message as string, message);
    }
    assert.equal(fb.control.sent().length, before);
  });

  it("answers 613 past the Page's rate limit", async () => {
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'hi');
    fb.control.setRateLimit({ requests: 2, windowSeconds: 1 });
    const body = { recipient: { id: buyer.psid }, messaging_type: 'RESPONSE', message: text('x') };
    assert.equal((await send(body)).status, 200);
    assert.equal((await send(body)).status, 200);
    const limited = await send(body);
    assert.deepEqual(codes(limited), [400, 613, undefined]);
    assert.equal(graphError(limited).is_transient, true);
    clock.advance(1000);
    assert.equal((await send(body)).status, 200);
    fb.control.setRateLimit(null);
  });
});

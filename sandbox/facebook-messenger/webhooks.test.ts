/**
 * Page webhooks: the hub challenge before any delivery, payloads shaped as Meta's references
 * show them, `X-Hub-Signature-256` checked here with an HMAC computed independently, and retries.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { type MessengerSandbox, startMessengerSandbox } from './server.ts';
import { graph, HOUR, type Received, startReceiver, TestClock } from './test-helpers.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The payload of a delivery, after checking its signature the way a receiver must. */
function verified(request: Received, appSecret: string): Record<string, unknown> {
  const expected = `sha256=${createHmac('sha256', appSecret).update(request.body).digest('hex')}`;
  assert.equal(request.headers['x-hub-signature-256'], expected);
  assert.equal(
    request.headers['x-hub-signature'],
    `sha1=${createHmac('sha1', appSecret).update(request.body).digest('hex')}`,
  );
  assert.match(String(request.headers['content-type']), /^application\/json/);
  return JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
}

/** The one messaging event or feed change of a delivery. */
function only(payload: Record<string, unknown>, key: 'messaging' | 'changes'): Record<string, unknown> {
  assert.equal(payload.object, 'page');
  const entries = payload.entry as Array<Record<string, unknown>>;
  assert.equal(entries.length, 1);
  const items = entries[0]?.[key] as Array<Record<string, unknown>>;
  assert.equal(items.length, 1);
  return items[0] as Record<string, unknown>;
}

describe('webhooks of the Messenger sandbox', () => {
  let fb: MessengerSandbox;
  let receiver: Receiver;
  const clock = new TestClock();

  before(async () => {
    fb = await startMessengerSandbox({ clock });
  });
  after(() => fb.close());
  beforeEach(async () => {
    receiver = await startReceiver('verify-me');
  });
  afterEach(async () => {
    fb.control.unsubscribeWebhook();
    await receiver.close();
  });

  it('sends the hub challenge first and delivers only to a verified subscription', async () => {
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'before any subscription');
    assert.equal(receiver.received.length, 0);

    const wrong = await fb.control.subscribeWebhook({ callbackUrl: receiver.url, verifyToken: 'not-it' });
    assert.deepEqual([wrong.verified, wrong.status], [false, 403]);
    await fb.control.userMessages(buyer.psid, 'still unverified');
    assert.equal(receiver.posts().length, 0);

    const result = await fb.control.subscribeWebhook({ callbackUrl: receiver.url, verifyToken: 'verify-me' });
    assert.equal(result.verified, true);
    const challenge = receiver.received.at(-1) as Received;
    assert.equal(challenge.method, 'GET');
    assert.equal(challenge.url.searchParams.get('hub.mode'), 'subscribe');
    assert.equal(challenge.url.searchParams.get('hub.verify_token'), 'verify-me');
    assert.match(challenge.url.searchParams.get('hub.challenge') ?? '', /^\d+$/);
    assert.equal(result.body, challenge.url.searchParams.get('hub.challenge'));

    await fb.control.userMessages(buyer.psid, 'now you hear me');
    assert.equal(receiver.posts().length, 1);
    assert.equal(fb.stats.webhooks.dropped, 2);
  });

  it('delivers a message as a signed messaging entry', async () => {
    await fb.control.subscribeWebhook({ callbackUrl: receiver.url, verifyToken: 'verify-me' });
    const buyer = fb.control.addUser();
    const { mid } = await fb.control.userMessages(buyer.psid, 'I take the red scarf');
    const payload = verified(receiver.posts()[0] as Received, fb.app.secret);
    const entry = (payload.entry as Array<Record<string, unknown>>)[0];
    assert.deepEqual([entry?.id, entry?.time], [fb.page.id, clock.now()]);
    assert.deepEqual(only(payload, 'messaging'), {
      sender: { id: buyer.psid },
      recipient: { id: fb.page.id },
      timestamp: clock.now(),
      message: { mid, text: 'I take the red scarf' },
    });
  });

  it('delivers a live-video comment as a feed change whose from.id is not the PSID', async () => {
    await fb.control.subscribeWebhook({ callbackUrl: receiver.url, verifyToken: 'verify-me' });
    const buyer = fb.control.addUser({ name: 'Lin' });
    const { commentId, postId } = await fb.control.comment({ psid: buyer.psid, text: 'mine! #7' });
    const change = only(verified(receiver.posts()[0] as Received, fb.app.secret), 'changes');
    assert.equal(change.field, 'feed');
    assert.deepEqual(change.value, {
      from: { id: buyer.appScopedId, name: 'Lin' },
      post_id: postId,
      created_time: Math.floor(clock.now() / 1000),
      item: 'comment',
      verb: 'add',
      message: 'mine! #7',
      comment_id: commentId,
      parent_id: postId,
    });
    assert.notEqual(buyer.appScopedId, buyer.psid);
  });

  it('reports deliveries and reads of sent messages, and postbacks', async () => {
    await fb.control.subscribeWebhook({ callbackUrl: receiver.url, verifyToken: 'verify-me' });
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'hi');
    const sent = await graph(fb, 'POST', '/me/messages', {
      token: fb.issuePageToken(),
      json: { recipient: { id: buyer.psid }, messaging_type: 'RESPONSE', message: { text: 'link' } },
    });
    const sentAt = clock.now();
    clock.advance(2000);
    assert.equal(await fb.control.deliver(buyer.psid), 1);
    assert.equal(await fb.control.deliver(buyer.psid), 0, 'each message is delivered once');
    clock.advance(3000);
    await fb.control.read(buyer.psid);
    const { mid } = await fb.control.postback(buyer.psid, 'PAID', 'I paid');

    const events = receiver
      .posts()
      .slice(1)
      .map((request) => only(verified(request, fb.app.secret), 'messaging'));
    assert.deepEqual(events, [
      {
        sender: { id: buyer.psid },
        recipient: { id: fb.page.id },
        delivery: { mids: [sent.body.message_id], watermark: sentAt },
      },
      {
        sender: { id: buyer.psid },
        recipient: { id: fb.page.id },
        timestamp: clock.now(),
        read: { watermark: clock.now() },
      },
      {
        sender: { id: buyer.psid },
        recipient: { id: fb.page.id },
        timestamp: clock.now(),
        postback: { mid, title: 'I paid', payload: 'PAID' },
      },
    ]);
  });

  it('keeps a delivery not answered 200 pending until deliverPending retries it, same bytes', async () => {
    await fb.control.subscribeWebhook({ callbackUrl: receiver.url, verifyToken: 'verify-me' });
    receiver.failNext(500, 503);
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'retry me');
    assert.equal(fb.control.webhookDeliveries().at(-1)?.lastStatus, 500);
    assert.deepEqual(await fb.control.deliverPending(), { delivered: 0, pending: 1 });
    assert.deepEqual(await fb.control.deliverPending(), { delivered: 1, pending: 0 });
    const [first, second, third] = receiver.posts();
    assert.deepEqual(second?.body, first?.body);
    assert.deepEqual(third?.body, first?.body);
    verified(third as Received, fb.app.secret);
    assert.equal(fb.control.webhookDeliveries().at(-1)?.attempts, 3);
  });

  it('sends only the subscribed fields', async () => {
    await fb.control.subscribeWebhook({
      callbackUrl: receiver.url,
      verifyToken: 'verify-me',
      fields: ['feed'],
    });
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'not subscribed');
    await fb.control.comment({ psid: buyer.psid, text: 'subscribed' });
    assert.deepEqual(
      receiver.posts().map((request) => only(verified(request, fb.app.secret), 'changes').field),
      ['feed'],
    );
  });

  it('drops the subscription after 8 hours of failed deliveries', async () => {
    await fb.control.subscribeWebhook({ callbackUrl: receiver.url, verifyToken: 'verify-me' });
    receiver.failNext(500, 500, 500);
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'nobody home');
    clock.advance(7 * HOUR);
    assert.deepEqual(await fb.control.deliverPending(), { delivered: 0, pending: 1 });
    clock.advance(HOUR);
    assert.deepEqual(await fb.control.deliverPending(), { delivered: 0, pending: 0 });
    assert.equal(fb.control.webhookDeliveries().at(-1)?.abandoned, true);
    const posts = receiver.posts().length;
    await fb.control.userMessages(buyer.psid, 'anyone?');
    assert.equal(receiver.posts().length, posts, 'nothing is sent once unsubscribed');
  });
});

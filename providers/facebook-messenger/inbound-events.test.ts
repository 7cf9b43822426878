/**
 * Messenger's Page webhooks become events: the emulator registers Patchbay's intake URL (hub
 * challenge with the integration's verify token), then a person's message, the delivery of what
 * the Page sent and the person's read arrive signed with the app secret, and the
 * `webhooks/handlers/messaging` handler turns them into `message.received`, `message.delivered`
 * and `message.read` for the connection of that Page. A batch of several entries, each with
 * several `messaging` items and an echo, is signed with the emulator's own signer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MessengerSandbox, startMessengerSandbox } from '../../sandbox/facebook-messenger/server.ts';
import { graph } from '../../sandbox/facebook-messenger/test-helpers.ts';
import { signatureHeaders } from '../../sandbox/facebook-messenger/webhooks.ts';
import { type LibraryEngine, startLibraryEngine, waitFor } from '../../test/support/library-engine.ts';

const VERIFY_TOKEN = 'patchbay-verify-token-1';

interface EventBody {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: event data is read loosely and asserted field by field
  data: Record<string, any>;
}

describe('Messenger inbound events', () => {
  let fb: MessengerSandbox;
  let harness: LibraryEngine;
  let intake: string;
  let connectionId: string;

  before(async () => {
    fb = await startMessengerSandbox();
    harness = await startLibraryEngine({ config: { apiRateLimit: 1_000_000 } });
    const integration = await harness.call('POST', '/v1/integrations', {
      provider: 'facebook-messenger',
      clientId: fb.app.id,
      clientSecret: fb.app.secret,
      webhookSecret: VERIFY_TOKEN,
      settings: { baseUrls: { '*': fb.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const environment = await harness.call('GET', '/v1/environment');
    // Library mode: the connection as the OAuth callback stores it (the Page and its token).
    const connection = await harness.engine.services.providers.connections.save(environment.body.id, {
      integrationId: integration.body.id,
      endUser: { id: 'seller-1', email: null, organization: null },
      credentials: {
        type: 'oauth2',
        accessToken: fb.issueUserToken(),
        secrets: { pageAccessToken: fb.issuePageToken() },
      },
      connectionConfig: { pageId: fb.page.id },
      metadata: { pageName: fb.page.name },
    });
    connectionId = connection.id;
    const url = await harness.call('GET', '/v1/integrations/facebook-messenger/webhook-url');
    intake = `${harness.baseUrl}${new URL(url.body.url).pathname}`;
  });

  after(async () => {
    await harness?.stop();
    await fb?.close();
  });

  async function events(type: string, count: number): Promise<EventBody[]> {
    return waitFor(`${count} ${type} event(s)`, async () => {
      const answer = await harness.call('GET', `/v1/events?type=${type}&limit=200`);
      const data = answer.body.data as EventBody[];
      return data.length >= count ? data : undefined;
    });
  }

  it('the emulator registers the intake URL with the verify token', async () => {
    const refused = await fb.control.subscribeWebhook({ callbackUrl: intake, verifyToken: 'wrong' });
    assert.equal(refused.verified, false);
    const subscribed = await fb.control.subscribeWebhook({ callbackUrl: intake, verifyToken: VERIFY_TOKEN });
    assert.equal(subscribed.verified, true, JSON.stringify(subscribed));
  });

  it("a person's message → message.received for the Page's connection", async () => {
    const buyer = fb.control.addUser({ name: 'Ada' });
    const { mid } = await fb.control.userMessages(buyer.psid, 'Is the blue one still available?');
    assert.equal(fb.control.webhookDeliveries().at(-1)?.lastStatus, 200);
    const [received] = await events('message.received', 1);
    assert.equal(received?.data.connectionId, connectionId);
    assert.equal(received?.data.provider, 'facebook-messenger');
    assert.equal(received?.data.endUserId, 'seller-1');
    assert.equal(received?.data.messageId, mid);
    assert.equal(received?.data.senderId, buyer.psid);
    assert.equal(received?.data.text, 'Is the blue one still available?');
    assert.deepEqual(received?.data.attachments, []);
    assert.match(received?.data.sentAt, /^\d{4}-\d\d-\d\dT/);
  });

  it('what the Page sent is delivered, then read → message.delivered, message.read', async () => {
    const buyer = fb.control.addUser({ name: 'Grace' });
    await fb.control.userMessages(buyer.psid, 'Send me the link');
    const sent = await graph(fb, 'POST', '/me/messages', {
      token: fb.issuePageToken(),
      json: { recipient: { id: buyer.psid }, messaging_type: 'RESPONSE', message: { text: 'Here it is' } },
    });
    assert.equal(sent.status, 200);
    const messageId = (sent.body as { message_id: string }).message_id;
    assert.equal(await fb.control.deliver(buyer.psid), 1);
    const [delivered] = await events('message.delivered', 1);
    assert.equal(delivered?.data.recipientId, buyer.psid);
    assert.deepEqual(delivered?.data.messageIds, [messageId]);
    await fb.control.read(buyer.psid);
    const [read] = await events('message.read', 1);
    assert.equal(read?.data.recipientId, buyer.psid);
    assert.equal(read?.data.connectionId, connectionId);
  });

  it('a batch: every entry and every messaging item of it, echoes left out', async () => {
    const before = (await events('message.received', 2)).length;
    const page = { id: fb.page.id };
    const item = (psid: string, mid: string, text: string, extra: Record<string, unknown> = {}) => ({
      sender: { id: psid },
      recipient: page,
      timestamp: 1_767_225_600_000,
      message: { mid, text, ...extra },
    });
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: fb.page.id,
          time: 1_767_225_600_000,
          messaging: [
            item('71', 'm_batch_1', 'first'),
            item('72', 'm_batch_2', 'second'),
            // The Page's own message, echoed: not something a person sent.
            {
              sender: page,
              recipient: { id: '71' },
              timestamp: 1,
              message: { mid: 'm_echo', is_echo: true },
            },
          ],
        },
        {
          id: fb.page.id,
          time: 1_767_225_600_001,
          messaging: [
            item('73', 'm_batch_3', '', { attachments: [{ type: 'image', payload: { url: 'https://x' } }] }),
          ],
        },
      ],
    });
    const response = await fetch(intake, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signatureHeaders(fb.app.secret, body) },
      body,
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { ids: string[] };
    assert.equal(answer.ids.length, 2, 'one inbound event per entry');
    const received = await events('message.received', before + 3);
    const batch = received.filter((e) => e.data.messageId.startsWith('m_batch_'));
    assert.deepEqual(batch.map((e) => [e.data.messageId, e.data.senderId]).sort(), [
      ['m_batch_1', '71'],
      ['m_batch_2', '72'],
      ['m_batch_3', '73'],
    ]);
    assert.deepEqual(batch.find((e) => e.data.messageId === 'm_batch_3')?.data.attachments, ['image']);
    assert.equal(received.length, before + 3, 'the echo is no message.received');
  });
});

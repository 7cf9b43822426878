/**
 * Private replies to live-video comments and visitor posts: one per comment, within 7 days of
 * it, and not an opening of the 24-hour window (only the person's own answer opens it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MessengerSandbox, startMessengerSandbox } from './server.ts';
import { DAY, graph, graphError, TestClock } from './test-helpers.ts';

describe('private replies on the Messenger sandbox', () => {
  let fb: MessengerSandbox;
  let token: string;
  const clock = new TestClock();

  before(async () => {
    fb = await startMessengerSandbox({ clock });
    token = fb.issuePageToken();
  });
  after(() => fb.close());

  const reply = (
    recipient: Record<string, string>,
    message = { text: 'Your checkout link: https://shop.example/c/9' },
  ) => graph(fb, 'POST', `/${fb.page.id}/messages`, { token, json: { recipient, message } });

  it('answers a live-video comment once, then refuses a second reply (10900)', async () => {
    const buyer = fb.control.addUser({ name: 'Grace' });
    const live = fb.control.startLiveVideo();
    const { commentId, postId } = await fb.control.comment({ psid: buyer.psid, text: 'I take #12!' });
    assert.equal(postId, live.postId);
    assert.ok(commentId.startsWith(`${live.postId.split('_')[1]}_`), commentId);

    const first = await reply({ comment_id: commentId });
    assert.equal(first.status, 200);
    assert.equal(first.body.recipient_id, buyer.psid);
    const sent = fb.control.sent().at(-1);
    assert.deepEqual(sent?.recipient, { comment_id: commentId });
    assert.equal(sent?.messagingType, undefined);

    const second = await reply({ comment_id: commentId });
    assert.deepEqual([second.status, graphError(second).code], [400, 10900]);
    assert.equal(graphError(second).message, '(#10900) Activity already replied to');
  });

  it('refuses a reply 7 days after the comment (10903)', async () => {
    const buyer = fb.control.addUser();
    const { commentId } = await fb.control.comment({ psid: buyer.psid, text: 'me too' });
    clock.advance(7 * DAY);
    const late = await reply({ comment_id: commentId });
    assert.deepEqual([late.status, graphError(late).code], [400, 10903]);
  });

  it('accepts a reply just inside 7 days, and a template reply', async () => {
    const buyer = fb.control.addUser();
    const { commentId } = await fb.control.comment({ psid: buyer.psid, text: 'sold!' });
    clock.advance(7 * DAY - 1);
    const answer = await reply({ comment_id: commentId }, {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Thanks! Pay within 24 hours to keep item #12.',
          buttons: [{ type: 'web_url', url: 'https://shop.example/c/12', title: 'Pay now' }],
        },
      },
    } as unknown as { text: string });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });

  it('does not open the 24-hour window: only the person answering does', async () => {
    const buyer = fb.control.addUser();
    const { commentId } = await fb.control.comment({ psid: buyer.psid, text: 'want' });
    assert.equal((await reply({ comment_id: commentId })).status, 200);
    const followUp = () =>
      graph(fb, 'POST', '/me/messages', {
        token,
        json: {
          recipient: { id: buyer.psid },
          messaging_type: 'RESPONSE',
          message: { text: 'Did it work?' },
        },
      });
    const refused = await followUp();
    assert.deepEqual([graphError(refused).code, graphError(refused).error_subcode], [10, 2018278]);
    await fb.control.userMessages(buyer.psid, 'paid, thanks');
    assert.equal((await followUp()).status, 200);
  });

  it('refuses a commenter who blocked the Page (551), and an unknown comment (100/33)', async () => {
    const buyer = fb.control.addUser();
    const { commentId } = await fb.control.comment({ psid: buyer.psid, text: 'hmm' });
    fb.control.block(buyer.psid);
    const blocked = await reply({ comment_id: commentId });
    assert.deepEqual([graphError(blocked).code, graphError(blocked).error_subcode], [551, 1545041]);
    fb.control.unblock(buyer.psid);
    assert.equal(
      (await reply({ comment_id: commentId })).status,
      200,
      'a refused reply does not use up the comment',
    );

    const unknown = await reply({ comment_id: `${fb.page.id}_1` });
    assert.deepEqual([graphError(unknown).code, graphError(unknown).error_subcode], [100, 33]);
  });

  it('answers a visitor post by post_id, once', async () => {
    const buyer = fb.control.addUser();
    const { postId } = await fb.control.visitorPost(buyer.psid, 'Do you ship to Lyon?');
    assert.ok(postId.startsWith(`${fb.page.id}_`));
    assert.equal((await reply({ post_id: postId })).status, 200);
    assert.equal(graphError(await reply({ post_id: postId })).code, 10900);
    const asComment = await reply({ comment_id: postId });
    assert.equal(graphError(asComment).error_subcode, 33);
  });
});

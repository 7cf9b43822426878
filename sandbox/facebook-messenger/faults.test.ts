/**
 * Faults on demand: Graph's server errors, throttling answers and slow answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MessengerSandbox, startMessengerSandbox } from './server.ts';
import { graph, graphError } from './test-helpers.ts';

describe('faults of the Messenger sandbox', () => {
  let fb: MessengerSandbox;
  let token: string;
  before(async () => {
    fb = await startMessengerSandbox();
    token = fb.issuePageToken();
  });
  after(() => fb.close());

  it('answers server errors with code 2, marked transient', async () => {
    fb.control.faults.serverErrors(2, 503);
    for (let i = 0; i < 2; i++) {
      const answer = await graph(fb, 'GET', '/me', { token });
      assert.equal(answer.status, 503);
      assert.deepEqual([graphError(answer).code, graphError(answer).is_transient], [2, true]);
    }
    assert.equal((await graph(fb, 'GET', '/me', { token })).status, 200);
    assert.equal(fb.stats.injected.serverErrors, 2);
  });

  it("answers throttling with Graph's codes, 400 unless told otherwise", async () => {
    fb.control.faults.rateLimit(1);
    const send = await graph(fb, 'POST', '/me/messages', { token, json: {} });
    assert.deepEqual([send.status, graphError(send).code], [400, 613]);
    assert.equal(graphError(send).message, '(#613) Calls to this api have exceeded the rate limit.');
    fb.control.faults.rateLimit(1, { code: 4, status: 429 });
    const app = await graph(fb, 'GET', '/me', { token });
    assert.deepEqual(
      [app.status, graphError(app).code, graphError(app).message],
      [429, 4, '(#4) Application request limit reached'],
    );
    assert.equal(fb.stats.errors['613'], 1);
  });

  it('delays the next requests past a client timeout', async () => {
    fb.control.faults.delay(1, 60_000);
    await assert.rejects(
      fetch(`${fb.url}/v23.0/me`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(50),
      }),
      (error: Error) => error.name === 'TimeoutError',
    );
    assert.equal(fb.control.faults.pending.delayed, 0);
    assert.equal((await graph(fb, 'GET', '/me', { token })).status, 200);
    fb.control.faults.delay(3, 60_000);
    fb.control.faults.clear();
    assert.equal((await graph(fb, 'GET', '/me', { token })).status, 200);
  });

  it('answers an unknown path with Graph\'s "Unsupported request" (100/33)', async () => {
    // The second path has a malformed escape: it matches nothing rather than failing the server.
    for (const path of ['/123/nothing_here', '/%E0%A4%A/messages']) {
      const answer = await graph(fb, 'GET', path, { token });
      assert.deepEqual(
        [answer.status, graphError(answer).code, graphError(answer).error_subcode],
        [400, 100, 33],
      );
    }
  });
});

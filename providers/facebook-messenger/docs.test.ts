/**
 * docs/providers/facebook-messenger.md is checked against the code: its table of inputs names the
 * action's fields, its reasons are the event's, and its SDK example runs as written against an
 * engine whose seller's Page is connected to the Messenger emulator.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SCRIPT_EVENT_CATALOG } from '../../src/events/script-events.ts';
import { type MessengerWorld, startMessengerWorld } from '../../test/support/messenger-world.ts';
import { sendMessageInput } from './send/payload.ts';
import { FALLBACK_REASONS } from './send/refusals.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/providers/facebook-messenger.md'), 'utf8');
const HOUR = 3_600_000;

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `the doc has "## ${title}"`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

describe('docs/providers/facebook-messenger.md', () => {
  it('lists every input of send-message, and only those', () => {
    const table = section('Sending messages').split('\n### ')[0] ?? '';
    const named = [...table.matchAll(/^\| `([a-zA-Z]+)` \|/gm)].map((match) => match[1]);
    assert.deepEqual(named.sort(), Object.keys(sendMessageInput.shape).sort());
  });

  it('explains every fallback reason the event can carry', () => {
    const reasons = SCRIPT_EVENT_CATALOG['message.fallback_required'].data.shape.reason.options;
    assert.deepEqual([...reasons].sort(), [...FALLBACK_REASONS].sort());
    const table = section('Sending messages');
    for (const reason of reasons) assert.match(table, new RegExp(`^\\| \`${reason}\` \\|`, 'm'), reason);
  });

  describe('the SDK example', () => {
    let world: MessengerWorld;

    before(async () => {
      world = await startMessengerWorld({ engine: { config: { apiRateLimit: 1_000_000 } } });
    });
    after(() => world?.close());

    it('runs as written: one link sent, one to share by hand', { timeout: 60_000 }, async () => {
      const control = world.messenger.control;
      const buyer = control.addUser();
      const late = control.addUser();
      await control.userMessages(buyer.psid, 'SOLD', { at: Date.now() - HOUR });
      await control.userMessages(late.psid, 'SOLD', { at: Date.now() - 48 * HOUR });
      const blocks = [...section('Sending messages').matchAll(/```js\n([\s\S]*?)```/g)];
      assert.equal(blocks.length, 1, 'one js example');
      const code = blocks[0]?.[1] ?? '';

      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          // `patchbay/sdk` as a host imports it, resolved to this checkout's sources.
          ['--conditions=patchbay-source', '--input-type=module', '-e', code],
          {
            cwd: root,
            timeout: 50_000,
            env: {
              ...process.env,
              PATCHBAY_URL: world.engine.baseUrl,
              PATCHBAY_API_KEY: world.engine.apiKey,
              CONNECTION_ID: world.connectionId,
              BUYER_PSID: buyer.psid,
              LATE_BUYER_PSID: late.psid,
            },
          },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
      });
      assert.match(output, /^buyer_17: sent m_\S+$/m);
      assert.match(
        output,
        /^buyer_18: share by hand \(outside_window\): https:\/\/invoice\.stripe\.com\/\S+$/m,
      );
      assert.match(output, /^to share: buyer_18 outside_window Thanks for shopping the show! .* https:\/\//m);
      assert.doesNotMatch(output, /to share: buyer_17/);
      assert.equal(control.sent().filter((message) => message.recipientId === buyer.psid).length, 1);
      assert.equal(control.sent().filter((message) => message.recipientId === late.psid).length, 0);
    });
  });
});

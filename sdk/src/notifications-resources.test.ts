import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LibraryEngine, startLibraryEngine } from '../../test/support/library-engine.ts';
import { isPatchbayApiError, PatchbayClient } from './index.ts';

describe('SDK notifications', () => {
  let pb: LibraryEngine;
  let client: PatchbayClient;
  before(async () => {
    pb = await startLibraryEngine();
    client = new PatchbayClient({ baseUrl: pb.baseUrl, apiKey: pb.apiKey });
  });
  after(async () => {
    await pb?.stop();
  });

  it('reads and replaces settings, with defaults for what is left out', async () => {
    const defaults = await client.notifications.getSettings();
    assert.deepEqual(defaults.channel, { type: 'smtp' });
    assert.equal(defaults.throttleMinutes, 60);
    assert.equal(defaults.kinds.sync_failing?.audience, 'end_user');
    const saved = await client.notifications.putSettings({
      operators: ['ops@acme.example'],
      kinds: { sync_failing: { audience: 'both' }, weekly_digest: { enabled: false } },
    });
    assert.deepEqual(saved.operators, ['ops@acme.example']);
    assert.deepEqual(saved.kinds.sync_failing, { enabled: true, audience: 'both' });
    assert.deepEqual(saved.kinds.weekly_digest, { enabled: false, audience: 'end_user' });
    await assert.rejects(
      client.notifications.putSettings({ operators: ['not an address'] }),
      (error: unknown) => {
        assert.ok(isPatchbayApiError(error));
        assert.equal(error.code, 'validation_failed');
        return true;
      },
    );
  });

  it('overrides, previews and resets a template; names unknown variables', async () => {
    const kinds = (await client.notifications.listTemplates()).data.map((t) => t.kind);
    assert.deepEqual(kinds, [
      'reauth_required',
      'sync_failing',
      'import_bad_rows',
      'plan_changed',
      'weekly_digest',
    ]);
    await assert.rejects(
      client.notifications.putTemplate('plan_changed', { subject: '{{plan}}', text: 'x', html: 'x' }),
      (error: unknown) => {
        assert.ok(isPatchbayApiError(error));
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual((error.details as { unknownVariables: string[] }).unknownVariables, ['plan']);
        return true;
      },
    );
    const saved = await client.notifications.putTemplate('plan_changed', {
      subject: 'Welcome to {{toPlan}}',
      text: 'Now on {{toPlan}}',
      html: '<p>Now on {{toPlan}}</p>',
    });
    assert.equal(saved.overridden, true);
    const preview = await client.notifications.preview('plan_changed', { variables: { toPlan: 'Pro & Co' } });
    assert.deepEqual(preview, {
      subject: 'Welcome to Pro & Co',
      text: 'Now on Pro & Co',
      html: '<p>Now on Pro &amp; Co</p>',
    });
    assert.equal((await client.notifications.deleteTemplate('plan_changed')).overridden, false);
    assert.equal(
      (await client.notifications.getTemplate('plan_changed')).template.subject,
      saved.default.subject,
    );
  });

  it('lists an empty log, and answers not_found for an unknown notification', async () => {
    assert.deepEqual(await client.notifications.list({ limit: 10 }), { data: [], nextAfter: null });
    await assert.rejects(client.notifications.get('ntf_01jz8x7y6w5v4t3s2r1q0p9n8m'), (error: unknown) => {
      assert.ok(isPatchbayApiError(error));
      assert.equal(error.code, 'not_found');
      return true;
    });
  });
});

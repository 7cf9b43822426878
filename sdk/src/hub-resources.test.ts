import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LibraryEngine, startLibraryEngine } from '../../test/support/library-engine.ts';
import { isPatchbayApiError, PatchbayClient } from './index.ts';

describe('SDK hub', () => {
  let pb: LibraryEngine;
  let client: PatchbayClient;
  before(async () => {
    pb = await startLibraryEngine({ config: { role: 'api' } });
    client = new PatchbayClient({ baseUrl: pb.baseUrl, apiKey: pb.apiKey });
    await client.integrations.create({ provider: 'woocommerce' });
  });
  after(async () => {
    await pb?.stop();
  });

  it('keeps the settings, opens sessions and reads the tiles, with the API’s error codes', async () => {
    assert.deepEqual(await client.hub.getSettings(), {
      comingSoon: [],
      editableMappings: false,
      updatedAt: null,
    });
    const settings = await client.hub.updateSettings({ comingSoon: ['shopify'] });
    assert.deepEqual(settings.comingSoon, ['shopify']);
    await assert.rejects(client.hub.updateSettings({ comingSoon: ['nope-nope'] }), (error) =>
      isPatchbayApiError(error, 'validation_failed'),
    );
    await assert.rejects(client.hub.get('user_1'), (error) => isPatchbayApiError(error, 'not_found'));

    const session = await client.hub.createSession({
      endUser: { id: 'user_1' },
      allowedOrigin: 'https://app.example.com',
      options: { colorScheme: 'dark', theme: { accent: '#0b6e4f' } },
    });
    assert.equal(session.url, `${pb.baseUrl}/hub?session=${session.token}`);
    await assert.rejects(
      client.hub.createSession({ endUser: { id: 'user_1' }, options: { theme: { accent: 'red' } } }),
      (error) => isPatchbayApiError(error, 'validation_failed'),
    );
    const hub = await client.hub.get('user_1');
    assert.equal(hub.plan, null, 'no plans: nothing is locked');
    assert.deepEqual(
      hub.categories.flatMap((group) => group.tiles.map((tile) => `${tile.key}:${tile.state}`)),
      ['shopify:coming_soon', 'woocommerce:available'],
    );
  });
});

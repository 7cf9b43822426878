/**
 * An engine in this process connected to the Gumroad emulator over OAuth: the integration points
 * Gumroad's base URLs at the emulator, and one end user has connected through the connect flow.
 * What the Gumroad end-to-end tests and the syncs docs test start from.
 */
import assert from 'node:assert/strict';
import { type GumroadSandbox, type GumroadSandboxOptions, startGumroadSandbox } from '../../sandbox/index.ts';
import { connectHeadless } from './connect-flow.ts';
import { type LibraryEngine, type LibraryEngineOptions, startLibraryEngine } from './library-engine.ts';

export interface GumroadWorld {
  engine: LibraryEngine;
  gumroad: GumroadSandbox;
  connectionId: string;
  close(): Promise<void>;
}

const CLIENT_ID = 'gumroad-app';
const CLIENT_SECRET = 'gumroad-secret';

export async function startGumroadWorld(options: {
  engine?: LibraryEngineOptions;
  sandbox?: Omit<GumroadSandboxOptions, 'clients'>;
}): Promise<GumroadWorld> {
  const engine = await startLibraryEngine(options.engine);
  let gumroad: GumroadSandbox | undefined;
  try {
    gumroad = await startGumroadSandbox({
      ...options.sandbox,
      clients: [
        {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: [`${engine.baseUrl}/connect/oauth/callback`],
        },
      ],
    });
    const integration = await engine.call('POST', '/v1/integrations', {
      provider: 'gumroad',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      settings: { baseUrls: { '*': gumroad.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const { connectionId } = await connectHeadless({
      engineUrl: engine.baseUrl,
      apiKey: engine.apiKey,
      integration: 'gumroad',
    });
    const sandbox = gumroad;
    return {
      engine,
      gumroad: sandbox,
      connectionId,
      async close() {
        await engine.stop();
        await sandbox.close();
      },
    };
  } catch (error) {
    await engine.stop();
    await gumroad?.close();
    throw error;
  }
}

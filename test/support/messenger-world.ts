/**
 * An engine in this process connected to the Messenger emulator over Facebook Login: the
 * integration points www.facebook.com and graph.facebook.com at the emulator, and a seller has
 * connected their Page through the connect flow (the Page token is read right after the code
 * exchange, as the definition's metadata request says). What the Messenger tests start from.
 */
import assert from 'node:assert/strict';
import {
  type MessengerSandbox,
  type MessengerSandboxOptions,
  startMessengerSandbox,
} from '../../sandbox/index.ts';
import { connectHeadless } from './connect-flow.ts';
import { type LibraryEngine, type LibraryEngineOptions, startLibraryEngine } from './library-engine.ts';

export interface MessengerWorld {
  engine: LibraryEngine;
  messenger: MessengerSandbox;
  /** The seller's connection (the Page `messenger.page.id`). */
  connectionId: string;
  /** Connects the Page again (e.g. after its tokens were expired): a new connection id. */
  connect(endUserId?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startMessengerWorld(
  options: { engine?: LibraryEngineOptions; sandbox?: Omit<MessengerSandboxOptions, 'redirectUris'> } = {},
): Promise<MessengerWorld> {
  const engine = await startLibraryEngine(options.engine);
  let messenger: MessengerSandbox | undefined;
  try {
    messenger = await startMessengerSandbox({
      ...options.sandbox,
      redirectUris: [`${engine.baseUrl}/connect/oauth/callback`],
    });
    const integration = await engine.call('POST', '/v1/integrations', {
      provider: 'facebook-messenger',
      clientId: messenger.app.id,
      clientSecret: messenger.app.secret,
      settings: { baseUrls: { '*': messenger.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const sandbox = messenger;
    const connect = async (endUserId = 'seller-1') =>
      (
        await connectHeadless({
          engineUrl: engine.baseUrl,
          apiKey: engine.apiKey,
          integration: 'facebook-messenger',
          endUserId,
          connectionConfig: { pageId: sandbox.page.id },
        })
      ).connectionId;
    const connectionId = await connect();
    return {
      engine,
      messenger: sandbox,
      connectionId,
      connect,
      async close() {
        await engine.stop();
        await sandbox.close();
      },
    };
  } catch (error) {
    await engine.stop();
    await messenger?.close();
    throw error;
  }
}

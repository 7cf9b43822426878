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

/** A seller's Page connected on an engine already running (the live-selling e2e adds Messenger to its engine). */
export interface MessengerOnEngine {
  messenger: MessengerSandbox;
  connectionId: string;
  connect(endUserId?: string): Promise<string>;
}

/**
 * Starts the Messenger emulator for `engine`, creates the `facebook-messenger` integration with
 * the emulator's app, and connects a seller's Page. The caller closes `messenger`.
 */
export async function connectMessenger(
  engine: LibraryEngine,
  sandboxOptions: Omit<MessengerSandboxOptions, 'redirectUris'> = {},
): Promise<MessengerOnEngine> {
  const messenger = await startMessengerSandbox({
    ...sandboxOptions,
    redirectUris: [`${engine.baseUrl}/connect/oauth/callback`],
  });
  try {
    const integration = await engine.call('POST', '/v1/integrations', {
      provider: 'facebook-messenger',
      clientId: messenger.app.id,
      clientSecret: messenger.app.secret,
      settings: { baseUrls: { '*': messenger.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const connect = async (endUserId = 'seller-1') =>
      (
        await connectHeadless({
          engineUrl: engine.baseUrl,
          apiKey: engine.apiKey,
          integration: 'facebook-messenger',
          endUserId,
          connectionConfig: { pageId: messenger.page.id },
        })
      ).connectionId;
    return { messenger, connectionId: await connect(), connect };
  } catch (error) {
    await messenger.close();
    throw error;
  }
}

/** An engine of its own with a seller's Page connected to the Messenger emulator. */
export async function startMessengerWorld(
  options: { engine?: LibraryEngineOptions; sandbox?: Omit<MessengerSandboxOptions, 'redirectUris'> } = {},
): Promise<MessengerWorld> {
  const engine = await startLibraryEngine(options.engine);
  try {
    const { messenger, connectionId, connect } = await connectMessenger(engine, options.sandbox);
    return {
      engine,
      messenger,
      connectionId,
      connect,
      async close() {
        await engine.stop();
        await messenger.close();
      },
    };
  } catch (error) {
    await engine.stop();
    throw error;
  }
}

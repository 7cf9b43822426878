/**
 * An engine in this process with a Resend or SendGrid integration pointed at its emulator, and
 * one end user connected by pasting the emulator's API key on the connect page. The engine
 * registers the connection's webhook at the emulator (the provider's webhooks/subscriptions.ts)
 * as it would at Resend or SendGrid. What the email provider tests start from.
 */
import assert from 'node:assert/strict';
import {
  type ResendSandbox,
  type ResendSandboxOptions,
  type SendGridSandbox,
  type SendGridSandboxOptions,
  startResendSandbox,
  startSendGridSandbox,
} from '../../sandbox/index.ts';
import {
  type JsonAnswer,
  type LibraryEngine,
  type LibraryEngineOptions,
  startLibraryEngine,
  waitFor,
} from './library-engine.ts';

export interface MailWorld<Sandbox> {
  engine: LibraryEngine;
  sandbox: Sandbox;
  provider: 'resend' | 'sendgrid';
  connectionId: string;
  /** Connects another end user with the same key; answers the new connection's id. */
  connect(endUserId: string): Promise<string>;
  /** Runs `send-email` synchronously and answers the API's reply. */
  send(input: unknown, options?: { idempotencyKey?: string }): Promise<JsonAnswer>;
  /** The connection's `email_events` records, by their `data`. */
  emailEvents(connectionId?: string): Promise<Array<Record<string, unknown>>>;
  /** Waits until the engine registered the connection's webhook at the emulator. */
  registered(connectionId?: string): Promise<void>;
  close(): Promise<void>;
}

export function startResendWorld(
  options: {
    engine?: LibraryEngineOptions;
    sandbox?: ResendSandboxOptions;
    /** Integration settings beside the base URL (`autoStartSyncs: []`…). */
    settings?: Record<string, unknown>;
  } = {},
): Promise<MailWorld<ResendSandbox>> {
  return startMailWorld(
    'resend',
    () => startResendSandbox({ rateLimit: false, ...options.sandbox }),
    options.engine,
    options.settings,
  );
}

export function startSendGridWorld(
  options: { engine?: LibraryEngineOptions; sandbox?: SendGridSandboxOptions } = {},
): Promise<MailWorld<SendGridSandbox>> {
  return startMailWorld('sendgrid', () => startSendGridSandbox(options.sandbox), options.engine);
}

async function startMailWorld<Sandbox extends ResendSandbox | SendGridSandbox>(
  provider: 'resend' | 'sendgrid',
  start: () => Promise<Sandbox>,
  engineOptions: LibraryEngineOptions = {},
  settings: Record<string, unknown> = {},
): Promise<MailWorld<Sandbox>> {
  const engine = await startLibraryEngine({
    ...engineOptions,
    config: { apiRateLimit: 1_000_000, webhookRetryJitter: 0, ...engineOptions.config },
  });
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await start();
    const origin = provider === 'resend' ? 'https://api.resend.com' : 'https://api.sendgrid.com';
    const integration = await engine.call('POST', '/v1/integrations', {
      provider,
      settings: { ...settings, baseUrls: { [origin]: sandbox.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const key = sandbox.apiKey;
    const connect = async (endUserId: string) => {
      const session = await engine.call('POST', '/v1/connect/sessions', { endUser: { id: endUserId } });
      assert.equal(session.status, 201, session.text);
      const response = await fetch(`${engine.baseUrl}/connect/api/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ integration: provider, values: { apiKey: key } }),
      });
      const body = (await response.json()) as { connectionId: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      return body.connectionId;
    };
    const connectionId = await connect('end-user-1');
    const running = sandbox;
    return {
      engine,
      sandbox: running,
      provider,
      connectionId,
      connect,
      send: (input, options = {}) =>
        engine.call('POST', `/v1/connections/${connectionId}/actions/send-email`, {
          input,
          ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        }),
      async emailEvents(id = connectionId) {
        const answer = await engine.call(
          'GET',
          `/v1/records?connectionId=${id}&model=email_events&limit=200`,
        );
        assert.equal(answer.status, 200, answer.text);
        return (answer.body.data as Array<{ data: Record<string, unknown> }>).map((record) => record.data);
      },
      async registered(id = connectionId) {
        await waitFor('the webhook registered at the provider', async () => {
          const answer = await engine.call('GET', `/v1/connections/${id}/webhook-subscriptions`);
          return answer.body.status === 'registered' ? true : undefined;
        });
      },
      async close() {
        await engine.stop();
        await running.close();
      },
    };
  } catch (error) {
    await engine.stop();
    await sandbox?.close();
    throw error;
  }
}

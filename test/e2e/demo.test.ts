/**
 * `patchbay demo` as a newcomer runs it: a child process that reaches "ready" with data to look
 * at — synced Gumroad records, runs, signed deliveries at the receiver — and cleans up on Ctrl-C.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

describe('patchbay demo', () => {
  it('reaches ready with synced records, webhook-started runs and verified deliveries; Ctrl-C cleans up', async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('PATCHBAY_')),
    );
    const child = spawn(process.execPath, [MAIN, 'demo', '--port', '0'], {
      env: { ...env, NODE_NO_WARNINGS: '1' },
    });
    let stderr = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${stderr}`)), 60_000);
        child.once('exit', (code) => reject(new Error(`exited ${code}:\n${stderr}`)));
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
          if (/Ctrl-C stops the demo\.\n/.test(stderr)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const field = (label: string) => new RegExp(`\\n  ${label} +(\\S+)`).exec(stderr)?.[1] ?? '';
      const [apiUrl, apiKey, receiverUrl, dataDir] = [
        field('API'),
        field('API key'),
        field('receiver'),
        field('data dir'),
      ];
      const connectionId = /connection (conn_\w+)/.exec(stderr)?.[1];
      assert.match(field('records'), /^51$/, stderr);
      const get = async (path: string) => {
        const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
        assert.equal(response.status, 200, path);
        return (await response.json()) as { data: Array<Record<string, unknown>> };
      };
      const runs = await get(`/v1/sync-runs?connectionId=${connectionId}&limit=50`);
      assert.deepEqual(runs.data.map((r) => `${r.sync}:${r.trigger}:${r.status}`).sort(), [
        'products:schedule:succeeded',
        'sales:schedule:succeeded',
        'sales:webhook:succeeded',
        // A sale ping also refreshes memberships (Gumroad's subscribers sync).
        'subscribers:schedule:succeeded',
        'subscribers:webhook:succeeded',
      ]);
      const sales = await get(`/v1/records?connectionId=${connectionId}&model=sales&limit=200`);
      assert.equal(sales.data.length, 51, 'the 50 initial sales and the one the ping announced');
      const deliveries = (await (await fetch(`${receiverUrl}/deliveries.json`)).json()) as Array<{
        eventType: string;
        verified: boolean;
      }>;
      assert.ok(deliveries.length > 0);
      assert.ok(
        deliveries.every((d) => d.verified),
        'every delivery carries a valid signature',
      );
      assert.ok(deliveries.some((d) => d.eventType === 'connection.created'));
      const page = await (await fetch(receiverUrl)).text();
      assert.match(page, /Deliveries from Patchbay/);

      assert.ok(existsSync(dataDir));
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
      assert.equal(existsSync(dataDir), false, 'the temporary data dir is removed');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

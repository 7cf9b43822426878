import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startEngine } from '../support/cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-e2e-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function get(
  url: string,
  key?: string,
): Promise<{ status: number; body: { error?: { code: string } } & Record<string, unknown> }> {
  const response = await fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  return { status: response.status, body: (await response.json()) as never };
}

describe('patchbay start (embedded default)', () => {
  it('serves an authenticated API whose data survives a restart, and stops cleanly on SIGTERM', async () => {
    const first = await startEngine({ PATCHBAY_DATA_DIR: dataDir });
    let apiKeyId: string;
    try {
      assert.match(first.banner, /Generated an encryption key/);
      assert.ok(first.firstKey, 'the first start prints the dev key');
      assert.deepEqual((await get(`${first.url}/health`)).status, 200);
      assert.deepEqual(await get(`${first.url}/ready`), {
        status: 200,
        body: { status: 'ready', checks: ['database', 'migrations'] },
      });
      const env = await get(`${first.url}/v1/environment`, first.firstKey);
      assert.equal(env.status, 200);
      assert.equal(env.body.name, 'dev');
      const none = await get(`${first.url}/v1/environment`);
      assert.equal(none.status, 401);
      assert.equal(none.body.error?.code, 'unauthorized');
      const wrong = await get(
        `${first.url}/v1/environment`,
        'pb_sk_dev_notarealkeynotarealkeynotarealkey1234',
      );
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error?.code, 'invalid_api_key');

      const created = await fetch(`${first.url}/v1/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.firstKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'survives restarts' }),
      });
      assert.equal(created.status, 201);
      apiKeyId = ((await created.json()) as { id: string }).id;
    } finally {
      assert.equal(await first.stop('SIGTERM'), 0, 'SIGTERM exits 0');
    }
    assert.match(first.stdout(), /"msg":"patchbay stopped"/);
    assert.ok(!first.stdout().includes(first.firstKey!), 'the key never reaches the log');

    const second = await startEngine({ PATCHBAY_DATA_DIR: dataDir });
    try {
      assert.equal(second.firstKey, null, 'a restart prints no new key');
      assert.doesNotMatch(second.banner, /Generated an encryption key/);
      const keys = await get(`${second.url}/v1/api-keys`, first.firstKey!);
      assert.equal(keys.status, 200);
      const ids = (keys.body.data as Array<{ id: string }>).map((k) => k.id);
      assert.ok(ids.includes(apiKeyId), 'the key created before the restart is still there');
    } finally {
      assert.equal(await second.stop('SIGINT'), 0, 'SIGINT exits 0');
    }
  });
});

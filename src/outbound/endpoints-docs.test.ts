/**
 * docs/webhooks.md promises runnable receivers: each `js` snippet that starts a server is run as
 * written, in a child process, and must accept a delivery signed by signing.ts and refuse a
 * tampered one.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateEndpointSecret, signatureHeaders } from './signing.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
const receivers = [...docs.matchAll(/```js\n([\s\S]*?)```/g)]
  .map((match) => match[1] ?? '')
  .filter((code) => code.includes('createServer'));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Posts once the child listens; fails as soon as the child has exited instead. */
async function post(
  child: ChildProcess,
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the receiver exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/webhooks/patchbay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('docs/webhooks.md receivers', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill();
  });

  it('has the SDK and the standardwebhooks receivers', () => {
    assert.equal(receivers.length, 2);
    assert.match(receivers[0]!, /from 'patchbay\/sdk'/);
    assert.match(receivers[1]!, /from 'standardwebhooks'/);
  });

  for (const [index, code] of receivers.entries()) {
    it(`runs receiver ${index + 1} as written`, { timeout: 30_000 }, async () => {
      const secret = generateEndpointSecret();
      const port = await freePort();
      // `from 'patchbay/sdk'` as a host writes it: the condition points the package's exports at this
      // checkout's sources instead of the build in dist/ (package.json, "exports").
      const child = spawn(
        process.execPath,
        ['--conditions=patchbay-source', '--input-type=module', '-e', code],
        {
          cwd: root,
          env: { ...process.env, PATCHBAY_WEBHOOK_SECRET: secret, PORT: String(port) },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      let output = '';
      child.stdout?.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr?.on('data', (chunk) => {
        output += chunk;
      });

      const body = JSON.stringify({
        type: 'connection.created',
        timestamp: new Date().toISOString(),
        data: { id: 'conn_1' },
      });
      const headers = signatureHeaders({
        id: 'msg_docs',
        timestamp: Math.floor(Date.now() / 1000),
        body,
        secrets: [secret],
      });
      assert.equal(await post(child, port, body, headers), 204, output);
      assert.equal(await post(child, port, body.replace('conn_1', 'conn_2'), headers), 400, output);
      assert.equal(
        await post(child, port, body, {
          ...headers,
          'webhook-signature': signatureHeaders({
            id: 'msg_docs',
            timestamp: Number(headers['webhook-timestamp']),
            body,
            secrets: [generateEndpointSecret()],
          })['webhook-signature'],
        }),
        400,
        output,
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
      assert.match(output, /received/);
    });
  }
});

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { systemClock } from '../clock/index.ts';
import type { Store } from '../store/index.ts';
import {
  seedConnection,
  TEST_VAULT_KEY_ENV,
  tableConnections,
  testVault,
} from './fixtures/refresh-fixtures.ts';

const CHILD = new URL('./fixtures/refresh-storm-child.ts', import.meta.url).pathname;
const CALLS_PER_PROCESS = 500;

/**
 * A token endpoint on loopback that behaves like a rotating one: each refresh token works once,
 * the answer takes a while (so concurrent refreshes would overlap), and every request is counted.
 */
async function startTokenEndpoint() {
  let requests = 0;
  let validRefreshToken = 'refresh-token-0';
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', async () => {
      requests += 1;
      const form = new URLSearchParams(body);
      await delay(100);
      response.setHeader('content-type', 'application/json');
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== validRefreshToken) {
        response.statusCode = 400;
        response.end(JSON.stringify({ error: 'invalid_grant' }));
        return;
      }
      validRefreshToken = `refresh-token-${requests}`;
      response.end(
        JSON.stringify({
          access_token: `access-token-${requests}`,
          refresh_token: validRefreshToken,
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface ChildReport {
  succeeded: number;
  failures: string[];
  accessTokens: string[];
}

/** Starts one engine process; resolves once it is ready to fire. */
async function startChild(args: string[], vaultKey: string) {
  const child: ChildProcess = spawn(process.execPath, [CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', [TEST_VAULT_KEY_ENV]: vaultKey },
  });
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  assert.equal(first.value, 'ready');
  return {
    child,
    go: () => child.stdin!.write('go\n'),
    async report(): Promise<ChildReport> {
      const line = await iterator.next();
      return JSON.parse(line.value as string) as ChildReport;
    },
  };
}

for (const target of await testDatabases()) {
  describe(`refresh storm across two processes on ${target.name}`, {
    skip: target.skip,
    timeout: 120_000,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    it(`${CALLS_PER_PROCESS} concurrent calls in each of two processes on an expired token: one token request`, async () => {
      const endpoint = await startTokenEndpoint();
      const { vault, key } = testVault();
      const children: ChildProcess[] = [];
      try {
        const seeded = await seedConnection(store, vault, {
          now: systemClock.now() - 7_200_000,
          credentials: {
            type: 'oauth2',
            accessToken: 'access-token-0',
            refreshToken: 'refresh-token-0',
            expiresAt: systemClock.now() - 1000,
          },
        });
        const args = [
          database.databaseUrl,
          database.dataDir,
          endpoint.url,
          seeded.environmentId,
          seeded.connectionId,
          String(CALLS_PER_PROCESS),
        ];
        const processes = await Promise.all([startChild(args, key), startChild(args, key)]);
        children.push(...processes.map((p) => p.child));
        for (const p of processes) p.go();
        const reports = await Promise.all(processes.map((p) => p.report()));

        assert.equal(endpoint.requests, 1);
        for (const report of reports) {
          assert.deepEqual(report.failures, []);
          assert.equal(report.succeeded, CALLS_PER_PROCESS);
          assert.deepEqual(report.accessTokens, ['access-token-1']);
        }
        const stored = await tableConnections(store, vault, systemClock).load(
          seeded.environmentId,
          seeded.connectionId,
        );
        assert.equal(stored.status, 'active');
        assert.equal(
          stored.credentials.type === 'oauth2' && stored.credentials.refreshToken,
          'refresh-token-1',
        );
      } finally {
        for (const child of children) {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
        await endpoint.close();
      }
    });
  });
}

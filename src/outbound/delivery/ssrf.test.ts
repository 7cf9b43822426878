import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { createOutboundHttp } from '../../net/index.ts';
import { type DeliveryFixture, openDeliveryFixture } from './fixtures/delivery-fixture.ts';
import { startReceiver } from './fixtures/receiver.ts';

/** Host → the addresses the stubbed resolver answers with. */
const DNS: Record<string, string[]> = {
  'private-10.example': ['10.0.0.1'],
  'private-192.example': ['192.168.1.1'],
  'loopback.example': ['127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'ula.example': ['fd00::1'],
  'mapped.example': ['::ffff:10.0.0.1'],
  'compatible-loopback.example': ['::7f00:1'],
  'compatible-metadata.example': ['::a9fe:a9fe'],
  'nat64.example': ['64:ff9b::a00:1'],
  '6to4.example': ['2002:7f00:1::1'],
  'link-local6.example': ['fe80::1'],
  'mixed.example': ['93.184.216.34', '10.0.0.1'],
};

const LITERAL_HOSTS = [
  '127.0.0.1',
  '[::1]',
  '10.0.0.1',
  '169.254.169.254',
  '[fd00::1]',
  '[::ffff:10.0.0.1]',
  '[::a00:1]',
  '[fe80::1]',
];

for (const target of await testDatabases()) {
  describe(`SSRF guard in delivery on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let fx: DeliveryFixture;
    let server: Server;
    let port: number;
    let connections = 0;
    const lookups: string[] = [];
    const answers: Record<string, string[]> = DNS;

    before(async () => {
      // Counts every TCP connection on loopback: anything the guard let through to 127.0.0.1.
      server = createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
      database = await target.create!();
      // No loopback allowance: the production policy.
      fx = await openDeliveryFixture(database, {
        outbound: {
          lookup: async (hostname): Promise<LookupAddress[]> => {
            lookups.push(hostname);
            return (answers[hostname] ?? []).map((address) => ({
              address,
              family: address.includes(':') ? 6 : 4,
            }));
          },
        },
      });
    });
    after(async () => {
      await fx?.close();
      await database?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('refuses every private, loopback, link-local, metadata, IPv6 and mixed answer, at every attempt', async () => {
      await fx.reset();
      const worker = fx.worker();
      const messages: Array<{ host: string; id: string }> = [];
      for (const host of [...Object.keys(DNS), ...LITERAL_HOSTS]) {
        const { id: endpointId } = await fx.addEndpoint({ url: `http://${host}:${port}/hooks` });
        messages.push({ host, id: await fx.addMessage(endpointId) });
      }
      // The first attempt of each, then the retry 5 s later: the guard checks again.
      assert.equal((await fx.runDue(worker)).length, messages.length);
      fx.clock.advance(10_000);
      assert.equal((await fx.runDue(worker)).length, messages.length);

      for (const { host, id } of messages) {
        const attempts = await fx.attempts(id);
        assert.equal(attempts.length, 2, host);
        for (const attempt of attempts) {
          assert.equal(attempt.status, 'failed', host);
          assert.equal(attempt.error_code, 'ssrf_blocked', `${host}: ${attempt.error_message}`);
          assert.equal(attempt.response_status, null, host);
          assert.match(attempt.error_message!, /Refused to connect/, host);
          // What a key holder reads back never says what an endpoint's name resolved to.
          for (const address of DNS[host] ?? [])
            assert.ok(!attempt.error_message!.includes(address), `${host}: ${attempt.error_message}`);
        }
        // A refusal is a failed attempt like any other: the message stays on its schedule.
        assert.equal((await fx.message(id)).status, 'pending', host);
      }
      assert.equal(connections, 0);
      // Names were resolved at each attempt; literal addresses never went to the resolver.
      for (const host of Object.keys(DNS))
        assert.equal(lookups.filter((name) => name === host).length, 2, host);
      assert.ok(lookups.every((name) => name in DNS));
    });

    it('delivers once the name resolves to an allowed address: the check is per attempt, not per endpoint', async () => {
      await fx.reset();
      const hook = await startReceiver({ status: 200 });
      let answer = '10.0.0.1';
      const loopbackAllowed = createOutboundHttp({
        allow: ['loopback'],
        lookup: async () => [{ address: answer, family: 4 }],
      });
      try {
        const worker = fx.worker({ http: loopbackAllowed });
        const { id: endpointId } = await fx.addEndpoint({ url: `http://moving.example:${hook.port}/hooks` });
        const messageId = await fx.addMessage(endpointId);
        await fx.runDue(worker);
        assert.equal((await fx.attempts(messageId))[0]?.error_code, 'ssrf_blocked');
        answer = '127.0.0.1';
        fx.clock.advance(10_000);
        await fx.runDue(worker);
        assert.equal((await fx.message(messageId)).status, 'succeeded');
        assert.equal(hook.requests.length, 1);
      } finally {
        await loopbackAllowed.close();
        await hook.close();
      }
    });
  });
}

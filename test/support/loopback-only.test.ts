import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type NetConnectOpts, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { refuseNonLoopbackConnections } from './loopback-only.ts';

/** Connects and reports the outcome: `connected`, or the error's message. */
async function attempt(options: NetConnectOpts): Promise<string> {
  const socket = connect(options);
  try {
    // once() rejects with the socket's error if it fails before connecting.
    await once(socket, 'connect');
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  } finally {
    socket.destroy();
  }
}

describe('the loopback guard of tests', () => {
  it('refuses IP literals and names off loopback before any packet, and lets loopback through', async () => {
    const server = createServer((socket) => socket.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const original = Socket.prototype.connect;
    const guard = refuseNonLoopbackConnections();
    try {
      assert.match(await attempt({ host: '192.0.2.1', port: 9 }), /loopback guard: 192\.0\.2\.1/);
      // A name with the system resolver: refused before the DNS query.
      assert.match(
        await attempt({ host: 'fuzz.example.test', port: 9 }),
        /loopback guard: fuzz\.example\.test/,
      );
      // A name whose own lookup answers a public address.
      const lookup = ((_host: string, _options: unknown, callback: (...args: unknown[]) => void) =>
        callback(null, [{ address: '192.0.2.7', family: 4 }])) as never;
      assert.match(await attempt({ host: 'x.example.test', port: 9, lookup }), /192\.0\.2\.7/);
      assert.equal(await attempt({ host: '127.0.0.1', port }), 'connected');
      assert.equal(await attempt({ host: 'localhost', port, family: 4 }), 'connected');
      assert.deepEqual(guard.refused, ['192.0.2.1', 'fuzz.example.test', 'x.example.test (192.0.2.7)']);
    } finally {
      guard.restore();
      server.close();
    }
    assert.equal(Socket.prototype.connect, original, 'the original connect is back');
  });
});

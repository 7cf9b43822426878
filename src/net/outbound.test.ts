import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import { createAddressPolicy } from './address-policy.ts';
import { createOutboundHttp } from './outbound.ts';

/** A loopback HTTP server that counts the TCP connections it accepts. */
function countingServer(): { server: Server; connections: () => number; port: () => number } {
  let connections = 0;
  const server = createServer((_request, response) => {
    response.end('ok');
  });
  server.on('connection', () => {
    connections += 1;
  });
  return {
    server,
    connections: () => connections,
    port: () => (server.address() as AddressInfo).port,
  };
}

const resolvesTo =
  (...addresses: string[]) =>
  async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('address policy', () => {
  const strict = createAddressPolicy();
  it('lets global unicast addresses through', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) {
      assert.equal(strict(address).allowed, true, address);
    }
  });
  it('refuses loopback, private, link-local, CGNAT, unspecified, multicast, reserved and mapped forms', () => {
    const refused = {
      '127.0.0.1': 'loopback',
      '10.0.0.5': 'private',
      '172.16.3.4': 'private',
      '192.168.1.1': 'private',
      '169.254.169.254': 'linkLocal',
      '100.64.0.1': 'carrierGradeNat',
      '0.0.0.0': 'unspecified',
      '224.0.0.1': 'multicast',
      '255.255.255.255': 'broadcast',
      '240.0.0.1': 'reserved',
      '::1': 'loopback',
      '::': 'unspecified',
      'fc00::1': 'uniqueLocal',
      'fd12:3456::1': 'uniqueLocal',
      'fe80::1': 'linkLocal',
      'ff02::1': 'multicast',
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:169.254.169.254': 'linkLocal',
      '64:ff9b::a00:5': 'rfc6052',
    };
    for (const [address, range] of Object.entries(refused)) {
      assert.deepEqual(strict(address), { allowed: false, range }, address);
    }
  });
  it('refuses shorthand IPv4 forms and garbage', () => {
    assert.equal(strict('127.1').allowed, false);
    assert.equal(strict('0x7f.0.0.1').allowed, false);
    assert.equal(strict('not-an-ip').allowed, false);
  });
  it('allows what the operator names: loopback, private, CIDRs', () => {
    const loopback = createAddressPolicy(['loopback']);
    assert.equal(loopback('127.0.0.1').allowed, true);
    assert.equal(loopback('::1').allowed, true);
    assert.equal(loopback('::ffff:127.0.0.1').allowed, true);
    assert.equal(loopback('10.0.0.5').allowed, false);
    assert.equal(loopback('169.254.169.254').allowed, false);
    const privateNets = createAddressPolicy(['private']);
    assert.equal(privateNets('10.0.0.5').allowed, true);
    assert.equal(privateNets('fd00::1').allowed, true);
    assert.equal(privateNets('127.0.0.1').allowed, false);
    const cidr = createAddressPolicy(['10.20.0.0/16']);
    assert.equal(cidr('10.20.3.4').allowed, true);
    assert.equal(cidr('10.21.0.1').allowed, false);
  });
  it('rejects an allow entry that means nothing', () => {
    assert.throws(
      () => createAddressPolicy(['loopbak']),
      (error) => isPatchbayError(error, 'config_invalid'),
    );
  });
});

describe('outbound HTTP', () => {
  const target = countingServer();
  before(() => new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => target.server.close(() => resolve())));

  const refusedWith = (host: string) => (error: unknown) => {
    assert.ok(isPatchbayError(error, 'ssrf_blocked'), `expected ssrf_blocked, got ${String(error)}`);
    assert.match(error.message, new RegExp(host.replaceAll('.', '\\.')));
    assert.match(error.message, /PATCHBAY_ALLOW_PRIVATE_NETWORKS/);
    return true;
  };

  for (const address of ['169.254.169.254', '10.0.0.5', '::ffff:127.0.0.1', '127.0.0.1']) {
    it(`refuses a name resolving to ${address} before connecting`, async () => {
      const before = target.connections();
      let lookups = 0;
      const http = createOutboundHttp({
        lookup: async (hostname) => {
          lookups += 1;
          assert.equal(hostname, 'provider.example');
          // The stub answers with the address under test, but the port is our counting server's:
          // any connection that got through would be counted.
          return resolvesTo(address)();
        },
      });
      try {
        await assert.rejects(
          http.fetch(`http://provider.example:${target.port()}/`),
          refusedWith('provider.example'),
        );
        assert.equal(lookups, 1);
        assert.equal(target.connections(), before);
      } finally {
        await http.close();
      }
    });
  }

  it('refuses a name when any one of its addresses is private', async () => {
    const http = createOutboundHttp({ lookup: resolvesTo('93.184.216.34', '127.0.0.1') });
    try {
      await assert.rejects(
        http.fetch(`http://mixed.example:${target.port()}/`),
        refusedWith('mixed.example'),
      );
    } finally {
      await http.close();
    }
  });

  it('checks literal IP hosts too, without a lookup', async () => {
    const before = target.connections();
    let lookups = 0;
    const http = createOutboundHttp({
      lookup: async () => {
        lookups += 1;
        return [];
      },
    });
    try {
      await assert.rejects(http.fetch(`http://127.0.0.1:${target.port()}/`), refusedWith('127.0.0.1'));
      await assert.rejects(http.fetch(`http://[::1]:${target.port()}/`), refusedWith('::1'));
      await assert.rejects(
        http.dispatcher.request({ origin: `http://127.0.0.1:${target.port()}`, path: '/', method: 'GET' }),
        refusedWith('127.0.0.1'),
      );
      assert.equal(lookups, 0);
      assert.equal(target.connections(), before);
    } finally {
      await http.close();
    }
  });

  it('connects when loopback is allowed, to the address the lookup returned', async () => {
    const before = target.connections();
    const http = createOutboundHttp({ allow: ['loopback'], lookup: resolvesTo('127.0.0.1') });
    try {
      const response = await http.fetch(`http://sandbox.test:${target.port()}/`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'ok');
      const literal = await http.fetch(`http://127.0.0.1:${target.port()}/`);
      assert.equal(await literal.text(), 'ok');
      assert.ok(target.connections() > before);
    } finally {
      await http.close();
    }
  });

  it('does not follow redirects', async () => {
    const redirecting = createServer((_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const http = createOutboundHttp({ allow: ['loopback'] });
    try {
      const response = await http.fetch(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/`);
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), 'http://169.254.169.254/latest/meta-data/');
    } finally {
      await http.close();
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
    }
  });

  it('reports a name that does not resolve as provider_unreachable', async () => {
    const http = createOutboundHttp({
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
      },
    });
    try {
      await assert.rejects(
        http.dispatcher.request({ origin: 'http://nowhere.example', path: '/', method: 'GET' }),
        (error) => isPatchbayError(error, 'provider_unreachable'),
      );
    } finally {
      await http.close();
    }
  });
});

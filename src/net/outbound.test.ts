import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import { createAddressPolicy, EMBEDDINGS } from './address-policy.ts';
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
      '64:ff9b::a00:5': 'private',
    };
    for (const [address, range] of Object.entries(refused)) {
      assert.deepEqual(strict(address), { allowed: false, range }, address);
    }
  });
  // Each IPv6 form that embeds an IPv4 address, carrying loopback, private, link-local (the cloud
  // metadata address) and public IPv4 addresses: written out by hand, not built from EMBEDDINGS.
  const CARRIERS: Record<string, Record<'loopback' | 'private' | 'linkLocal' | 'unicast', string>> = {
    ipv4Mapped: {
      loopback: '::ffff:127.0.0.1',
      private: '::ffff:a00:1',
      linkLocal: '::ffff:169.254.169.254',
      unicast: '::ffff:8.8.8.8',
    },
    ipv4Compatible: {
      loopback: '::7f00:1',
      private: '::a00:1',
      linkLocal: '::a9fe:a9fe',
      unicast: '::8.8.8.8',
    },
    ipv4Translated: {
      loopback: '::ffff:0:7f00:1',
      private: '::ffff:0:10.0.0.1',
      linkLocal: '::ffff:0:a9fe:a9fe',
      unicast: '::ffff:0:808:808',
    },
    nat64: {
      loopback: '64:ff9b::127.0.0.1',
      private: '64:ff9b::a00:1',
      linkLocal: '64:ff9b::a9fe:a9fe',
      unicast: '64:ff9b::808:808',
    },
    // Where the IPv4 address sits depends on the local prefix's length: each address reads as an
    // address of its class in every position (for link-local: where a /48 prefix puts it).
    nat64Local: {
      loopback: '64:ff9b:1:7f7f:7f:7f7f:7f00:1',
      private: '64:ff9b:1:a0a:a:a0a:a00:1',
      linkLocal: '64:ff9b:1:a9fe:a9:fe00::',
      unicast: '64:ff9b:1:808:8:808:808:808',
    },
    '6to4': {
      loopback: '2002:7f00:1::1',
      private: '2002:a00:1::',
      linkLocal: '2002:a9fe:a9fe:1::1',
      unicast: '2002:808:808::1',
    },
    // Server 65.54.227.120; the client's address is the last 32 bits inverted.
    teredo: {
      loopback: '2001:0:4136:e378:8000:63bf:80ff:fffe',
      private: '2001:0:4136:e378:8000:63bf:f5ff:fffe',
      linkLocal: '2001:0:4136:e378:8000:63bf:5601:5601',
      unicast: '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
    },
  };

  it('judges every IPv6 form that embeds an IPv4 address as the IPv4 address it carries', () => {
    assert.deepEqual(Object.keys(CARRIERS).sort(), EMBEDDINGS.map((e) => e.name).sort(), 'a row per form');
    const loopbackAllowed = createAddressPolicy(['loopback']);
    const privateAllowed = createAddressPolicy(['private']);
    for (const [form, carriers] of Object.entries(CARRIERS)) {
      for (const [range, address] of Object.entries(carriers)) {
        const where = `${form} carrying ${range}: ${address}`;
        assert.deepEqual(strict(address), { allowed: range === 'unicast', range }, where);
        assert.equal(loopbackAllowed(address).allowed, range === 'unicast' || range === 'loopback', where);
        assert.equal(privateAllowed(address).allowed, range === 'unicast' || range === 'private', where);
      }
    }
  });

  it('refuses an embedding when any IPv4 address it carries is refused', () => {
    // A Teredo server on loopback with a public client; local-use NAT64 addresses that read as
    // loopback for a /96 prefix (and as 0.0.0.0 for a /48 one), or as 127.0.0.1 for a /48 prefix
    // and 0.0.1.0 for a /56 one.
    for (const address of [
      '2001:0:7f00:1:8000:63bf:f7f7:f7f7',
      '64:ff9b:1::7f00:1',
      '64:ff9b:1:7f00:0:100::',
    ]) {
      assert.equal(strict(address).allowed, false, address);
    }
    // The unspecified and loopback addresses sit in ::/96 but are themselves.
    assert.deepEqual(createAddressPolicy(['loopback'])('::1'), { allowed: true, range: 'loopback' });
    assert.deepEqual(strict('::'), { allowed: false, range: 'unspecified' });
    // An IPv6 CIDR does not open what an embedding carries: only the IPv4 range would.
    const v6Wide = createAddressPolicy(['2000::/3', '::/0']);
    assert.equal(v6Wide('2002:7f00:1::1').allowed, false);
    assert.equal(v6Wide('::ffff:10.0.0.1').allowed, false);
    assert.equal(createAddressPolicy(['10.0.0.0/8'])('2002:a00:1::').allowed, true);
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
        await assert.rejects(http.fetch(`http://provider.example:${target.port()}/`), (error) => {
          refusedWith('provider.example')(error);
          // Refused, without saying what the name resolved to: no address, no kind of address.
          assert.ok(isPatchbayError(error));
          assert.doesNotMatch(error.message, new RegExp(address.replaceAll('.', '\\.')));
          assert.doesNotMatch(error.message, /loopback address|private address|linkLocal/);
          assert.deepEqual(error.details, { host: 'provider.example' });
          return true;
        });
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
      await assert.rejects(http.fetch(`http://127.0.0.1:${target.port()}/`), (error) => {
        refusedWith('127.0.0.1')(error);
        // A literal address is the caller's own: its kind is named.
        assert.ok(isPatchbayError(error));
        assert.deepEqual(error.details, { host: '127.0.0.1', range: 'loopback' });
        return true;
      });
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

/**
 * The header rules against the HTTP client that sends deliveries: whatever they accept, undici
 * sends, and the receiver reads exactly what was saved. The class of bug this closes: a header
 * accepted when saved on which every delivery then fails.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Client } from 'undici';
import { isHeaderName, isHeaderValue, isReservedHeader } from './header-rules.ts';

describe('endpoint header rules', () => {
  let server: Server;
  let client: Client;
  let received: IncomingHttpHeaders = {};
  before(async () => {
    server = createServer((request, response) => {
      received = request.headers;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(async () => {
    await client?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('every accepted name and value is sent by the HTTP client and received as saved', async () => {
    const name = fc
      .stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/)
      .filter((candidate) => isHeaderName(candidate) && !isReservedHeader(candidate.toLowerCase()));
    // Text around the rule's edges (tabs, spaces, visible ASCII, and any other UTF-16 unit, which
    // the filter drops with the values holding it): the client must take all the rule accepts.
    const unit = fc.oneof(
      fc.constantFrom('\t', ' ', '\u007f', '\u0080', '\u00ff', '\u0100'),
      fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const value = fc.string({ unit, maxLength: 200 }).filter(isHeaderValue);
    await fc.assert(
      fc.asyncProperty(name, value, async (headerName, headerValue) => {
        const answer = await client.request({
          path: '/',
          method: 'POST',
          headers: { [headerName]: headerValue },
          body: '{}',
        });
        await answer.body.dump();
        // Receivers drop the optional whitespace around a value (RFC 9110 §5.5), nothing else.
        assert.equal(received[headerName.toLowerCase()], headerValue.replace(/^[\t ]+|[\t ]+$/g, ''));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses __proto__ as a name, in any case: such a header never reaches the receiver', () => {
    for (const name of ['__proto__', '__PROTO__', '__Proto__']) assert.equal(isHeaderName(name), false, name);
    for (const name of ['proto', '__proto', 'x-proto__', 'constructor'])
      assert.equal(isHeaderName(name), true, name);
  });

  it('refuses what the client would refuse or garble: controls, DEL, Latin-1 and beyond', () => {
    for (const refused of [
      'a\r\nb',
      'a\nb',
      'a\u0000b',
      'a\u007f',
      'caf\u00e9',
      'Zoë',
      '☕',
      '\ud83d\ude00',
    ]) {
      assert.equal(isHeaderValue(refused), false, JSON.stringify(refused));
    }
    for (const refused of ['', 'bad name', 'x:y', 'ü', 'a'.repeat(101)]) {
      assert.equal(isHeaderName(refused), false, JSON.stringify(refused));
    }
    for (const reserved of ['host', 'content-type', 'user-agent', 'webhook-signature', 'webhook-anything']) {
      assert.equal(isReservedHeader(reserved), true, reserved);
    }
    assert.equal(isReservedHeader('authorization'), false, 'receivers commonly require one');
  });
});

/**
 * OAuth 1.0a signing against RFC 5849's published examples: the signature base string and
 * normalized parameters of §3.4.1 and the signature of the §1.2 photos request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normalizedParameters,
  oauthEncode,
  oauthSignature,
  signatureBaseString,
  signedUrl,
} from './oauth1.ts';

// RFC 5849 §3.4.1.3.1: the request's parameters, fully decoded (query, form body, protocol).
const RFC_PARAMETERS: Array<[string, string]> = [
  ['b5', '=%3D'],
  ['a3', 'a'],
  ['c@', ''],
  ['a2', 'r b'],
  ['oauth_consumer_key', '9djdj82h48djs9d2'],
  ['oauth_token', 'kkk9d7dh3k39sjv7'],
  ['oauth_signature_method', 'HMAC-SHA1'],
  ['oauth_timestamp', '137131201'],
  ['oauth_nonce', '7d8f3e4a'],
  ['c2', ''],
  ['a3', '2 q'],
];

describe('OAuth 1.0a (RFC 5849)', () => {
  it('normalizes parameters as §3.4.1.3.2 shows', () => {
    assert.equal(
      normalizedParameters(RFC_PARAMETERS),
      'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2' +
        '&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201' +
        '&oauth_token=kkk9d7dh3k39sjv7',
    );
  });

  it('builds the signature base string of §3.4.1.1', () => {
    const url = new URL('http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b');
    assert.equal(
      signatureBaseString('post', url, RFC_PARAMETERS),
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D' +
        '%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a' +
        '%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('signs the §1.2 photos request to the RFC’s signature', () => {
    const url = new URL('http://photos.example.net/photos?file=vacation.jpg&size=original');
    const base = signatureBaseString('GET', url, [
      ...url.searchParams,
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131202'],
      ['oauth_nonce', 'chapoH'],
    ]);
    const signature = oauthSignature(
      base,
      { consumerSecret: 'kd94hf93k423kf44', tokenSecret: 'pfkkdhi9sl3r4s00' },
      'HMAC-SHA1',
    );
    assert.equal(signature, 'MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  it('encodes every byte outside the unreserved set, upper-case hex (§3.6)', () => {
    assert.equal(oauthEncode("a b!*'()~-._+/é"), 'a%20b%21%2A%27%28%29~-._%2B%2F%C3%A9');
  });

  it('signs one-legged into the query string with a key ending in "&"', () => {
    const signed = signedUrl(
      { consumerKey: 'ck_abc', consumerSecret: 'cs_xyz' },
      {
        method: 'GET',
        url: new URL('http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=1&oauth_nonce=stale'),
        signatureMethod: 'HMAC-SHA256',
        timestamp: 1_700_000_000,
        nonce: 'n1',
      },
    );
    const params = signed.searchParams;
    assert.deepEqual(params.getAll('oauth_nonce'), ['n1']);
    assert.equal(params.get('oauth_consumer_key'), 'ck_abc');
    assert.equal(params.get('oauth_signature_method'), 'HMAC-SHA256');
    assert.equal(params.get('oauth_timestamp'), '1700000000');
    // Recomputed from what the server reads: every query parameter but the signature.
    const received = [...params].filter(([name]) => name !== 'oauth_signature');
    const unsigned = new URL(signed);
    unsigned.search = '';
    const expected = oauthSignature(
      signatureBaseString('GET', unsigned, received),
      { consumerSecret: 'cs_xyz' },
      'HMAC-SHA256',
    );
    assert.equal(params.get('oauth_signature'), expected);
    // Another secret gives another signature.
    assert.notEqual(
      oauthSignature(
        signatureBaseString('GET', unsigned, received),
        { consumerSecret: 'cs_other' },
        'HMAC-SHA256',
      ),
      expected,
    );
  });

  it('covers a form-encoded body, "+" as a space', () => {
    const common = {
      method: 'POST',
      url: new URL('https://shop.example/wp-json/wc/v3/orders'),
      signatureMethod: 'HMAC-SHA1' as const,
      timestamp: 1,
      nonce: 'n',
    };
    const credentials = { consumerKey: 'k', consumerSecret: 's' };
    const plus = signedUrl(credentials, { ...common, formBody: 'a=1+2' }).searchParams.get('oauth_signature');
    const space = signedUrl(credentials, { ...common, formBody: 'a=1%202' }).searchParams.get(
      'oauth_signature',
    );
    const other = signedUrl(credentials, { ...common, formBody: 'a=12' }).searchParams.get('oauth_signature');
    assert.equal(plus, space);
    assert.notEqual(plus, other);
  });
});

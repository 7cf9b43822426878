import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from './logger.ts';
import { createMemoryDestination } from './memory-destination.ts';

const SECRET = 'pb_sk_prod_9Wm2Qx7Lr4Kv8Np3Ty6Bh1Jc5Fd0Gs2Ae7Ru';

function capture(level: 'trace' | 'info' = 'trace') {
  const destination = createMemoryDestination();
  return { destination, logger: createLogger({ level, destination }) };
}

describe('createLogger', () => {
  it('writes JSON lines with a level label and an ISO time', () => {
    const { destination, logger } = capture();
    logger.info({ count: 2 }, 'hello');
    const [entry] = destination.entries();
    assert.equal(entry?.level, 'info');
    assert.equal(entry?.msg, 'hello');
    assert.equal(entry?.count, 2);
    assert.match(String(entry?.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('respects the level', () => {
    const { destination, logger } = capture('info');
    logger.debug('hidden');
    logger.warn('shown');
    assert.deepEqual(
      destination.entries().map((e) => e.msg),
      ['shown'],
    );
  });

  it('redacts secrets in objects, messages, interpolation, bindings and errors', () => {
    const { destination, logger } = capture();
    logger.info({ headers: { authorization: `Bearer ${SECRET}` }, apiKey: SECRET }, 'object');
    logger.info(`message with ${SECRET}`);
    logger.info('interpolated %s and %j', SECRET, { token: SECRET });
    logger.child({ apiKey: SECRET, note: SECRET }).info('child');
    logger.error(new Error(`error with ${SECRET}`));
    logger.error({ err: new Error(`wrapped ${SECRET}`) });
    logger.error({ error: new Error(`named ${SECRET}`) }, 'with message');
    logger.info({ req: { method: 'GET', url: `/v1/x?api_key=${SECRET}` } }, 'request');

    const text = destination.text();
    assert.equal(text.includes(SECRET), false, text);
    assert.equal(text.includes('9Wm2Qx7Lr4Kv8Np3'), false);
    const entries = destination.entries();
    assert.equal(entries.length, 8);
    assert.deepEqual(entries[0]?.headers, { authorization: '[redacted]' });
    assert.equal(entries[1]?.msg, 'message with [redacted]');
    assert.equal(entries[2]?.msg, 'interpolated [redacted] and {"token":"[redacted]"}');
    assert.equal(entries[3]?.apiKey, '[redacted]');
    assert.equal(entries[3]?.note, '[redacted]');
    assert.equal(entries[4]?.msg, 'error with [redacted]');
    assert.equal((entries[4]?.err as { message: string } | undefined)?.message, 'error with [redacted]');
    assert.equal(entries[5]?.msg, 'wrapped [redacted]');
    assert.equal((entries[6]?.error as { type: string } | undefined)?.type, 'Error');
    assert.deepEqual(entries[7]?.req, { method: 'GET', url: '/v1/x?api_key=[redacted]' });
  });

  it('keeps a plain request id verbatim, even one shaped like a token', () => {
    const { destination, logger } = capture();
    const nginxId = '4f9d8b2c1a7e6f3d5b0c9a8e7d6f5a4b';
    logger.child({ requestId: nginxId, token: SECRET }).info('with id');
    logger.child({ requestId: SECRET }).info('not an id');
    const [kept, refused] = destination.entries();
    assert.equal(kept?.requestId, nginxId);
    assert.equal(kept?.token, '[redacted]');
    assert.equal(refused?.requestId, '[redacted]');
  });

  it('caps long strings', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ level: 'info', destination, maxStringLength: 10 });
    logger.info({ body: 'x'.repeat(50) }, 'y'.repeat(30));
    const [entry] = destination.entries();
    assert.equal(entry?.body, `${'x'.repeat(10)}…[truncated 40 chars]`);
    assert.equal(entry?.msg, `${'y'.repeat(10)}…[truncated 20 chars]`);
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definitions are written with ${placeholders}
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimitSchema } from '../catalog/proxy.ts';
import { rateLimitFor } from './rate-limit-cases.ts';

const limit = rateLimitSchema.parse({
  requests: 100,
  windowSeconds: 1,
  burst: 200,
  scope: 'integration',
  cases: [
    { when: { value: '${secretKey}', matches: '^[rs]k_test_' }, requests: 25, windowSeconds: 1 },
    { when: { value: '${plan}', matches: '^free$' }, requests: 1, windowSeconds: 2, burst: 3 },
  ],
});

describe('rateLimitFor', () => {
  it('keeps the definition’s rate when no case matches, or there are none', () => {
    assert.equal(rateLimitFor(limit, { secretKey: 'sk_live_abc' }), limit);
    assert.equal(rateLimitFor(undefined, {}), undefined);
    const plain = rateLimitSchema.parse({ requests: 5, windowSeconds: 1 });
    assert.equal(rateLimitFor(plain, { secretKey: 'sk_test_abc' }), plain);
  });

  it('takes the first matching case’s rate, and the rest of the definition’s limit', () => {
    const test = rateLimitFor(limit, { secretKey: 'rk_test_abc', plan: 'free' });
    assert.deepEqual(test, {
      requests: 25,
      windowSeconds: 1,
      scope: 'integration',
      headers: { retryAfter: 'retry-after' },
    });
    assert.deepEqual(
      [
        rateLimitFor(limit, { secretKey: 'sk_live_abc', plan: 'free' })?.requests,
        rateLimitFor(limit, { plan: 'free' })?.burst,
      ],
      [1, 3],
    );
  });

  it('treats a value the connection lacks as no match', () => {
    assert.equal(rateLimitFor(limit, {}), limit);
    assert.equal(rateLimitFor(limit, { secretKey: '' }), limit);
  });
});

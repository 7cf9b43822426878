import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isPatchbayError } from '../errors/index.ts';
import { createIdFactory, ID_PREFIXES, type IdKind, idLowerBound, idTime, isId, parseId } from './index.ts';

const kinds = Object.keys(ID_PREFIXES) as IdKind[];
const MAX_TIME = 2 ** 48 - 1;

describe('ids', () => {
  it('carry their kind prefix and creation time', () => {
    const makeId = createIdFactory();
    const id = makeId('connection', 1_700_000_000_123);
    assert.match(id, /^conn_[0-9a-hjkmnp-tv-z]{26}$/);
    assert.equal(idTime(id), 1_700_000_000_123);
    assert.ok(isId('connection', id));
    assert.ok(!isId('message', id));
  });

  it('round-trip time and kind for any instant (property)', () => {
    fc.assert(
      // Time 0 is not representable: the ulid factory reads a falsy seed time as "now".
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: 1, max: MAX_TIME }), (kind, time) => {
        const id = createIdFactory()(kind, time);
        return isId(kind, id) && idTime(id) === time && parseId(kind, id) === id;
      }),
    );
  });

  it('sort lexicographically in creation order, within and across milliseconds (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 2, maxLength: 200 }), (steps) => {
        const makeId = createIdFactory();
        let time = 1_700_000_000_000;
        const ids = steps.map((step) => {
          time += step;
          return makeId('message', time);
        });
        const sorted = [...ids].sort();
        return ids.every((id, i) => id === sorted[i]) && new Set(ids).size === ids.length;
      }),
    );
  });

  it('give range cursors: the lower bound of an instant sorts before every id made at or after it (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_TIME - 1 }),
        fc.integer({ min: 0, max: 1000 }),
        (time, later) => {
          const bound = idLowerBound('message', time);
          // The ulid factory reads a seed time of 0 as "now", so ids are made from instant 1 on.
          const at = createIdFactory()('message', Math.max(Math.min(time + later, MAX_TIME), 1));
          const before = time > 1 ? createIdFactory()('message', time - 1) : '';
          return bound <= at && before < bound && idTime(bound) === time;
        },
      ),
    );
  });

  it('stay random across refills of the pooled random bytes', () => {
    // 2,000 ids in distinct milliseconds: 32,000 random characters, several refills of the pool.
    const makeId = createIdFactory();
    const bodies = Array.from({ length: 2_000 }, (_, i) =>
      makeId('event', 1_700_000_000_000 + i * 2).slice(4),
    );
    const randomParts = bodies.map((body) => body.slice(10));
    assert.equal(new Set(randomParts).size, randomParts.length);
    // Every character of the alphabet turns up at every position (a miss has odds of about e^-62).
    for (let position = 0; position < 16; position++) {
      assert.equal(new Set(randomParts.map((part) => part[position])).size, 32, `position ${position}`);
    }
  });

  it('reject malformed ids with invalid_id (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        fc.pre(!isId('connection', value));
        try {
          parseId('connection', value);
          return false;
        } catch (error) {
          return isPatchbayError(error, 'invalid_id');
        }
      }),
    );
    for (const bad of [
      'conn_',
      'conn_01m82pe9pwftsg6hj5jy1qpby',
      'msg_01m82pe9pwftsg6hj5jy1qpbyq',
      'conn_01m82pe9pwftsg6hj5jy1qpbyu',
    ]) {
      assert.throws(
        () => parseId('connection', bad),
        (e) => isPatchbayError(e, 'invalid_id'),
      );
    }
  });
});

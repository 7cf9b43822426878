import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { isPatchbayError } from '../../errors/index.ts';
import { prepareRecord } from './prepare.ts';

const sale = z.object({ id: z.string(), amount: z.number().int(), currency: z.string().length(3) });

describe('prepareRecord', () => {
  it('keeps the validated record as JSON, with its id and a hash of that JSON', () => {
    const prepared = prepareRecord('sales', sale, {
      id: 's_1',
      amount: 500,
      currency: 'USD',
      extra: 'dropped',
    });
    assert.equal(prepared.externalId, 's_1');
    assert.equal(prepared.payload, '{"id":"s_1","amount":500,"currency":"USD"}');
    assert.match(prepared.hash, /^[A-Za-z0-9_-]{27}$/);
  });

  it('gives equal records equal hashes and a changed field another hash', () => {
    const a = prepareRecord('sales', sale, { id: 's_1', amount: 500, currency: 'USD' });
    const b = prepareRecord('sales', sale, { id: 's_1', amount: 500, currency: 'USD' });
    const c = prepareRecord('sales', sale, { id: 's_1', amount: 501, currency: 'USD' });
    assert.equal(a.hash, b.hash);
    assert.notEqual(a.hash, c.hash);
  });

  it('refuses a record that does not match its model with record_invalid, the model, the id and the paths', () => {
    assert.throws(
      () => prepareRecord('sales', sale, { id: 's_9', amount: 'lots', currency: 'US' }),
      (error: unknown) => {
        assert.ok(isPatchbayError(error, 'record_invalid'), String(error));
        const details = error.details as { model: string; id: string; issues: Array<{ path: string }> };
        assert.equal(details.model, 'sales');
        assert.equal(details.id, 's_9');
        assert.deepEqual(
          details.issues.map((issue) => issue.path),
          ['amount', 'currency'],
        );
        assert.match(error.message, /sales record \(id s_9\).*amount/);
        return true;
      },
    );
  });

  it('reports a record without an id without inventing one', () => {
    assert.throws(
      () => prepareRecord('sales', sale, { amount: 1, currency: 'EUR' }),
      (error: unknown) => {
        assert.ok(isPatchbayError(error, 'record_invalid'));
        const details = error.details as { id?: string; issues: Array<{ path: string }> };
        assert.equal('id' in details, false);
        assert.deepEqual(
          details.issues.map((issue) => issue.path),
          ['id'],
        );
        return true;
      },
    );
  });

  it('refuses a record nested deeper than 64 levels with record_invalid, whatever its model lets through', () => {
    const loose = z.looseObject({ id: z.string() });
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
    assert.throws(
      () => prepareRecord('sales', loose, { id: 's_deep', raw: deep }),
      (error: unknown) => {
        assert.ok(isPatchbayError(error, 'record_invalid'), String(error));
        assert.deepEqual(error.details, { model: 'sales', id: 's_deep', maxDepth: 64 });
        assert.match(
          error.message,
          /sales record \(id s_deep\) nests objects and arrays deeper than 64 levels/,
        );
        return true;
      },
    );
    const allowed = JSON.parse(`${'['.repeat(63)}${']'.repeat(63)}`) as unknown;
    assert.equal(prepareRecord('sales', loose, { id: 's_ok', raw: allowed }).externalId, 's_ok');
  });
});

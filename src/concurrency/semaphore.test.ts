import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Semaphore } from './semaphore.ts';

describe('Semaphore', () => {
  it('lets `size` holders in at once and serves waiters first come, first served', async () => {
    const semaphore = new Semaphore(2);
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    assert.equal(semaphore.free, 0);
    const order: string[] = [];
    const third = semaphore.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = semaphore.acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    first();
    first(); // a second call of the same release is ignored
    (await third)();
    second();
    (await fourth)();
    assert.deepEqual(order, ['third', 'fourth']);
    assert.equal(semaphore.free, 2);
  });

  it('drops a waiter whose signal aborts, and refuses an already aborted one', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
    await assert.rejects(semaphore.acquire(AbortSignal.abort(new Error('late'))), /late/);
    held();
    assert.equal(semaphore.free, 1);
  });

  it('calls onIdle when every permit is back, not before', async () => {
    let idle = 0;
    const semaphore = new Semaphore(2, () => {
      idle += 1;
    });
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    a();
    assert.equal(idle, 0);
    b();
    assert.equal(idle, 1);
  });
});

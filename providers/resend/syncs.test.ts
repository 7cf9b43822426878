/**
 * Resend's `emails` sync against the Resend emulator: the first run lists every email the team
 * sent (pages of 100 with `after`) into `emails` records with their status; a later run reads the
 * newest emails only until it passes those that settled (created more than three days before the
 * last successful run), so a recent email's new status is taken and an old one is not re-read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Resend } from 'resend';
import type { ResendSandbox } from '../../sandbox/index.ts';
import type { JsonAnswer } from '../../test/support/library-engine.ts';
import { waitFor } from '../../test/support/library-engine.ts';
import { type MailWorld, startResendWorld } from '../../test/support/mail-world.ts';

const DAY = 86_400_000;

describe('resend emails sync', { timeout: 60_000 }, () => {
  let world: MailWorld<ResendSandbox>;
  let shift = 0;
  let resend: Resend;

  before(async () => {
    world = await startResendWorld({
      sandbox: { now: () => new Date(Date.now() - shift) },
      settings: { autoStartSyncs: [] },
    });
    resend = new Resend(world.sandbox.apiKey, { baseUrl: world.sandbox.url });
  });
  after(async () => {
    await world?.close();
  });

  const message = (n: number) => ({
    from: 'hello@example.com',
    to: [`buyer${n}@example.org`],
    subject: `Order ${n}`,
    text: 'Thanks',
  });

  async function run(): Promise<JsonAnswer['body']> {
    const trigger = await world.engine.call(
      'POST',
      `/v1/connections/${world.connectionId}/syncs/emails/trigger`,
      {},
    );
    assert.equal(trigger.status, 202, trigger.text);
    return waitFor('the emails run to finish', async () => {
      const answer = await world.engine.call('GET', `/v1/sync-runs/${trigger.body.runId}`);
      return ['succeeded', 'failed'].includes(answer.body.status) ? answer.body : undefined;
    });
  }

  async function emails(): Promise<Map<string, { status: string }>> {
    const answer = await world.engine.call(
      'GET',
      `/v1/records?connectionId=${world.connectionId}&model=emails&limit=200`,
    );
    return new Map(
      (answer.body.data as Array<{ id: string; data: { status: string } }>).map((r) => [r.id, r.data]),
    );
  }

  it('lists every email on the first run, then only the unsettled ones', async () => {
    shift = 10 * DAY;
    const old = await resend.batch.send(Array.from({ length: 100 }, (_, n) => message(n)));
    const older = await resend.batch.send(Array.from({ length: 20 }, (_, n) => message(100 + n)));
    shift = 0;
    const recent = await resend.batch.send(Array.from({ length: 5 }, (_, n) => message(200 + n)));
    assert.ok(old.data && older.data && recent.data);

    const first = await run();
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
    assert.deepEqual([first.added, first.updated], [125, 0]);
    const stored = await emails();
    assert.equal(stored.size, 125);
    assert.equal(stored.get(recent.data.data[0]!.id)?.status, 'sent');

    // The oldest email was sent first: it is last in Resend's newest-first list, on page 2.
    const oldest = old.data.data[0]!.id;
    const fresh = recent.data.data[0]!.id;
    await world.sandbox.control.emit(fresh, 'email.delivered');
    await world.sandbox.control.emit(oldest, 'email.delivered');
    const second = await run();
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.equal(second.mode, 'incremental');
    assert.deepEqual([second.added, second.updated], [0, 1]);
    const after = await emails();
    assert.equal(after.get(fresh)?.status, 'delivered');
    assert.equal(after.get(oldest)?.status, 'sent', 'settled emails are not read again');
    assert.equal(world.sandbox.control.requests.get('GET /emails'), 3, 'two pages, then one');
  });

  it('reads a page again when it arrives cut short', async () => {
    const pages = () => world.sandbox.control.requests.get('GET /emails') ?? 0;
    const before = pages();
    world.sandbox.control.faults.truncate(1, 'GET /emails');
    const again = await run();
    assert.equal(again.status, 'succeeded', JSON.stringify(again.error));
    assert.equal(again.attempt, 1, "the proxy's retry of the GET, within the run");
    assert.equal(pages() - before, 2, 'the cut page, then the whole one');
    assert.equal((await emails()).size, 125);
  });
});

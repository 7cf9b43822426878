import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailEventModel } from '../../src/scripts/index.ts';
import { addressOf } from './address.ts';
import { messageIdOf, SENDGRID_EVENT_TYPES, SETTING_OF_EVENT, toEmailEvent } from './models.ts';

const base = {
  email: 'buyer@example.org',
  timestamp: 1_767_225_600,
  sg_event_id: 'ZmlsdGVyMDAwMQ',
  sg_message_id: 'W8Y3ZgpnQ3uKeYsTpDYrHw.filterdrecv-5bd5c5c7b8-1-2A2B-1.0',
};

describe('SendGrid events as email_events', () => {
  it('keys records by sg_event_id and messages by the X-Message-Id prefix', () => {
    const record = toEmailEvent({ ...base, event: 'delivered' });
    assert.ok(record);
    assert.deepEqual(
      [record.id, record.emailId, record.type, record.recipient, record.occurredAt],
      [
        'ZmlsdGVyMDAwMQ',
        'W8Y3ZgpnQ3uKeYsTpDYrHw',
        'delivered',
        'buyer@example.org',
        '2026-01-01T00:00:00.000Z',
      ],
    );
    assert.equal(messageIdOf('abc'), 'abc');
    assert.ok(emailEventModel.safeParse(record).success);
  });

  it('classifies bounces, blocks and drops, and ignores event names it does not know', () => {
    assert.deepEqual(
      toEmailEvent({ ...base, event: 'bounce', type: 'bounce', reason: '550 no such user' })?.bounce,
      {
        kind: 'hard',
        reason: '550 no such user',
      },
    );
    assert.equal(toEmailEvent({ ...base, event: 'bounce', type: 'blocked' })?.bounce?.kind, 'soft');
    const dropped = toEmailEvent({ ...base, event: 'dropped', reason: 'Bounced Address' });
    assert.deepEqual(
      [dropped?.type, dropped?.bounce],
      ['dropped', { kind: 'undetermined', reason: 'Bounced Address' }],
    );
    assert.equal(
      toEmailEvent({ ...base, event: 'click', url: 'https://example.com/x' })?.url,
      'https://example.com/x',
    );
    assert.equal(toEmailEvent({ ...base, event: 'account_status_change' }), null);
  });

  it('has a settings boolean for every event it handles', () => {
    assert.deepEqual(Object.keys(SETTING_OF_EVENT).sort(), Object.keys(SENDGRID_EVENT_TYPES).sort());
  });

  it("splits 'Name <address>' into SendGrid's address object", () => {
    assert.deepEqual(addressOf('a@example.com'), { email: 'a@example.com' });
    assert.deepEqual(addressOf('Acme Shop <a@example.com>'), { email: 'a@example.com', name: 'Acme Shop' });
    assert.deepEqual(addressOf('"Doe, Jane" <jane@example.com>'), {
      email: 'jane@example.com',
      name: 'Doe, Jane',
    });
    assert.deepEqual(addressOf('<a@example.com>'), { email: 'a@example.com' });
  });
});

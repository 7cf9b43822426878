import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailEventModel, emailModel, sendEmailInput } from '../../src/scripts/index.ts';
import { type ResendEmailEventBody, toEmailEvent, toEmailRecord } from './models.ts';

const event = (type: string, data: Partial<ResendEmailEventBody['data']> = {}): ResendEmailEventBody => ({
  type,
  created_at: '2026-01-01T00:00:00.000+00:00',
  data: { email_id: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c', to: ['buyer@example.org'], ...data },
});

describe('Resend events and emails as records', () => {
  it('derives a stable id from the email, the type and the instant', () => {
    const record = toEmailEvent(event('email.delivered'));
    assert.equal(record?.id, '4ef9a417-02e9-4d39-ad75-9611e0fcc33c:email.delivered:2026-01-01T00:00:00.000Z');
    assert.equal(record?.recipient, 'buyer@example.org');
    assert.ok(emailEventModel.safeParse(record).success);
    assert.equal(
      toEmailEvent(event('email.delivered', { to: ['a@example.org', 'b@example.org'] }))?.recipient,
      null,
    );
  });

  it('classifies bounces, failures and suppressions; ignores other event types', () => {
    const kind = (type: string, data: Partial<ResendEmailEventBody['data']>) =>
      toEmailEvent(event(type, data))?.bounce;
    assert.deepEqual(kind('email.bounced', { bounce: { type: 'Permanent', message: 'gone' } }), {
      kind: 'hard',
      reason: 'gone',
    });
    assert.deepEqual(kind('email.bounced', { bounce: { type: 'Transient' } }), {
      kind: 'soft',
      reason: null,
    });
    assert.deepEqual(kind('email.bounced', { bounce: { type: 'Undetermined' } }), {
      kind: 'undetermined',
      reason: null,
    });
    assert.deepEqual(kind('email.failed', { failed: { reason: 'reached_daily_quota' } }), {
      kind: 'undetermined',
      reason: 'reached_daily_quota',
    });
    assert.equal(kind('email.suppressed', {})?.kind, 'hard');
    assert.equal(toEmailEvent(event('contact.created')), null);
  });

  it("maps a listed email's last_event to the emails model", () => {
    const record = toEmailRecord({
      id: 'e1',
      from: 'hello@example.com',
      to: ['buyer@example.org'],
      cc: null,
      bcc: null,
      subject: 'Hi',
      created_at: '2026-01-01 10:00:00.123+00',
      scheduled_at: null,
      last_event: 'delivery_delayed',
    });
    assert.deepEqual(
      [record.status, record.cc, record.createdAt],
      ['delivery_delayed', [], '2026-01-01T10:00:00.123Z'],
    );
    assert.ok(emailModel.safeParse(record).success);
  });

  it('send-email input needs text or html and well-formed addresses', () => {
    const base = { from: 'Acme <a@example.com>', to: ['b@example.org'], subject: 'Hi' };
    assert.ok(sendEmailInput.safeParse({ ...base, text: 'x' }).success);
    assert.ok(sendEmailInput.safeParse({ ...base, html: '<p>x</p>' }).success);
    assert.ok(!sendEmailInput.safeParse(base).success);
    assert.ok(!sendEmailInput.safeParse({ ...base, text: 'x', to: ['not an address'] }).success);
    assert.ok(!sendEmailInput.safeParse({ ...base, text: 'x', to: [] }).success);
  });
});

/**
 * The emails the Resend team sent, with their last event, from `GET /emails` (newest first,
 * paged with `after`). Resend offers no updated-since filter, and an email's `last_event` moves
 * for a few days after sending (delivery, opens, clicks), so after the first full listing a run
 * reads the newest emails until it passes those created more than `SETTLE_DAYS` before the last
 * successful run: new emails are added and recent ones updated; older ones have settled. The
 * `email-events` webhook handler records each event as it happens; this sync keeps the status.
 */
import { defineSync, emailModel } from '../../../src/scripts/index.ts';
import { type ResendListedEmail, toEmailRecord } from '../models.ts';

const DAY = 86_400_000;
const SETTLE_DAYS = 3;

export default defineSync({
  name: 'emails',
  description: 'Emails sent by the Resend team, with their last delivery or engagement event.',
  models: { emails: emailModel },
  frequency: '1h',
  async exec(ctx) {
    const last = ctx.run.lastSuccessAt;
    const settledBefore = last === null ? null : last.getTime() - SETTLE_DAYS * DAY;
    for await (const page of ctx.paginate<ResendListedEmail>({ method: 'GET', path: '/emails' })) {
      await ctx.records.save('emails', page.items.map(toEmailRecord));
      if (settledBefore !== null && page.items.some((email) => Date.parse(email.created_at) < settledBefore))
        break;
    }
  },
});

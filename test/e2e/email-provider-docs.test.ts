/**
 * docs/providers/resend.md and sendgrid.md are checked against the code: Resend's input table
 * names exactly the fields of `send-email`, and each page's event table names every event the
 * provider's handler takes and its webhook registers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import resendHandler from '../../providers/resend/webhooks/handlers/email-events.ts';
import resendSubscriptions from '../../providers/resend/webhooks/subscriptions.ts';
import sendgridHandler from '../../providers/sendgrid/webhooks/handlers/email-events.ts';
import sendgridSubscriptions from '../../providers/sendgrid/webhooks/subscriptions.ts';
import { sendEmailInput } from '../../src/models/email.ts';

const read = (name: string) =>
  readFileSync(new URL(`../../docs/providers/${name}.md`, import.meta.url), 'utf8');

function section(doc: string, title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `the doc has "## ${title}"`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The backquoted names in the first cell of each table row of `text`. */
function firstCells(text: string): string[] {
  return [...text.matchAll(/^\| ([^|]+) \|/gm)].flatMap((match) =>
    [...(match[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
  );
}

describe('email provider docs', () => {
  it("resend.md's input table names every send-email field, and only those", () => {
    const named = firstCells(section(read('resend'), 'Sending: `send-email`'));
    assert.deepEqual(named.sort(), Object.keys(sendEmailInput.shape).sort());
  });

  for (const [name, handler, subscriptions] of [
    ['resend', resendHandler, resendSubscriptions],
    ['sendgrid', sendgridHandler, sendgridSubscriptions],
  ] as const) {
    it(`${name}.md's event table covers every event handled and registered`, () => {
      const named = new Set(firstCells(section(read(name), 'Webhooks and events')));
      for (const event of new Set([...handler.events, ...subscriptions.topics]))
        assert.ok(named.has(event), event);
    });
  }
});

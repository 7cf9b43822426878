/**
 * docs/providers/whop.md is checked against the scripts: it names every webhook topic the
 * engine registers, every sync and action, and the event the membership handler emits.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import subscriptions from './webhooks/subscriptions.ts';

const doc = readFileSync(new URL('../../docs/providers/whop.md', import.meta.url), 'utf8');
const names = (folder: string) =>
  readdirSync(new URL(`./${folder}/`, import.meta.url))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => file.slice(0, -'.ts'.length));

describe('docs/providers/whop.md', () => {
  it('names every registered topic, sync and action', () => {
    for (const topic of subscriptions.topics) assert.ok(doc.includes(`\`${topic}\``), topic);
    for (const sync of names('syncs')) assert.ok(doc.includes(`\`${sync}\``), `sync ${sync}`);
    for (const action of names('actions')) assert.ok(doc.includes(`\`${action}\``), `action ${action}`);
    assert.ok(doc.includes('`subscription.changed`'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PatchbayError } from '../errors/index.ts';
import { KINDS, NOTIFICATION_KINDS, sampleVariables } from './kinds.ts';
import {
  escapeHtml,
  parseNotificationTemplate,
  renderNotificationTemplate,
  unknownVariables,
} from './template.ts';
import { compileTemplate, renderTemplate } from './templates.ts';

const render = (source: string, variables: Record<string, unknown>, html = false) =>
  renderNotificationTemplate(parseNotificationTemplate(source), variables, { html });

describe('notification templates', () => {
  it('substitute values and dotted paths, rendering missing ones as nothing', () => {
    assert.equal(
      render('Hi {{ name }}, {{user.email}}!{{missing}}', { name: 'Ada', user: { email: 'a@x' } }),
      'Hi Ada, a@x!',
    );
  });

  it('escape every value in HTML, and nothing in text', () => {
    const variables = { name: '<script>alert("x")</script> & \'q\' `b` =' };
    assert.equal(
      render('<p>{{name}}</p>', variables, true),
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &#96;b&#96; &#61;</p>',
    );
    assert.equal(render('{{name}}', variables), variables.name);
  });

  it('escaped HTML never contains markup characters (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const out = render('<a href="{{v}}">{{v}}</a>', { v: value }, true);
        const inner = out.slice('<a href="'.length, out.length - '</a>'.length);
        assert.doesNotMatch(inner.replace('">', ''), /[<>"'`]/);
      }),
    );
  });

  it('render sections: if / else and each, with item scopes over outer ones', () => {
    const source = '{{#if items}}{{#each items}}[{{name}} of {{owner}}]{{/each}}{{else}}none{{/if}}';
    assert.equal(
      render(source, { owner: 'ada', items: [{ name: 'a' }, { name: 'b', owner: 'bob' }] }),
      '[a of ada][b of bob]',
    );
    assert.equal(render(source, { owner: 'ada', items: [] }), 'none');
    assert.equal(render('{{#if n}}yes{{/if}}', { n: 0 }), '');
  });

  it('refuse malformed templates with validation_failed, saying what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['{{#if a}}x', /never closed/],
      ['{{/each}}', /closes no open/],
      ['{{#each a}}{{/if}}', /closes no open/],
      ['{{else}}', /not inside an \{\{#if\}\}/],
      ['{{ 1 + 1 }}', /is not a tag/],
      ['{{constructor.constructor("x")()}}', /is not a tag/],
      ['{{#if}}', /names no variable/],
    ];
    for (const [source, message] of cases) {
      assert.throws(
        () => parseNotificationTemplate(source),
        (error: unknown) =>
          error instanceof PatchbayError && error.code === 'validation_failed' && message.test(error.message),
        source,
      );
    }
  });

  it('name the variables a kind does not have', () => {
    const nodes = parseNotificationTemplate(
      '{{connection.name}} {{secret}} {{#each connections}}{{name}}{{nope}}{{/each}}',
    );
    // Inside an unknown list, its items' names are unknown too.
    assert.deepEqual(unknownVariables(nodes, KINDS.reauth_required.variables), [
      'connections',
      'name',
      'nope',
      'secret',
    ]);
    assert.deepEqual(unknownVariables(nodes, KINDS.weekly_digest.variables), [
      'connection.name',
      'nope',
      'secret',
    ]);
    assert.throws(
      () =>
        compileTemplate('plan_changed', { subject: '{{toPlan}}', text: '{{reconnectUrl}}', html: '{{x.y}}' }),
      (error: unknown) =>
        error instanceof PatchbayError &&
        error.code === 'validation_failed' &&
        JSON.stringify((error.details as { unknownVariables: string[] }).unknownVariables) ===
          '["reconnectUrl","x.y"]',
    );
  });

  it('every default template compiles against its own variables and renders its samples', () => {
    for (const kind of NOTIFICATION_KINDS) {
      const rendered = renderTemplate(kind, KINDS[kind].template, sampleVariables(kind));
      assert.ok(rendered.subject.length > 0, kind);
      assert.doesNotMatch(rendered.subject, /[\r\n]|\{\{/, kind);
      assert.doesNotMatch(rendered.text + rendered.html, /\{\{/, kind);
    }
    const digest = renderTemplate(
      'weekly_digest',
      KINDS.weekly_digest.template,
      sampleVariables('weekly_digest'),
    );
    assert.match(digest.text, /- Stripe \(active\): 14 succeeded, 0 failed/);
    assert.match(digest.html, /<li>Gumroad needs to be reconnected<\/li>/);
  });

  it('keep a subject on one line, whatever the values', () => {
    const rendered = renderTemplate('reauth_required', KINDS.reauth_required.template, {
      ...sampleVariables('reauth_required'),
      connection: { name: 'Evil\r\nBcc: victim@example.com' },
    });
    assert.equal(rendered.subject, 'Action needed: reconnect Evil Bcc: victim@example.com');
  });

  it('escapeHtml leaves plain text alone', () => {
    assert.equal(escapeHtml('plain text 123'), 'plain text 123');
  });
});

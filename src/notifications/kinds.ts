/**
 * The kinds of notification emails: what each is about, who receives it by default, the
 * variables its templates may use (with sample values for previews) and its default English
 * template. A new kind is one entry here, a template, and a trigger in ./planner.ts or ./digest.ts.
 */
import type { VariableSpec, VariableSpecs } from './template.ts';

export const NOTIFICATION_KINDS = [
  'reauth_required',
  'sync_failing',
  'import_bad_rows',
  'plan_changed',
  'weekly_digest',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Who receives a kind: the end user (their email), the host's operators, or both. */
export type Audience = 'end_user' | 'operators' | 'both';

/** A kind's three template parts. */
export interface TemplateParts {
  subject: string;
  text: string;
  html: string;
}

export interface KindDefinition {
  kind: NotificationKind;
  description: string;
  defaultAudience: Audience;
  /** True when an email is about one connection: throttled per connection, otherwise per end user. */
  perConnection: boolean;
  variables: VariableSpecs;
  template: TemplateParts;
}

const leaf = (description: string, example: unknown): VariableSpec => ({ description, example });

const common: VariableSpecs = {
  endUser: leaf('The end user: `id`, `name`, `email` (name and email may be empty).', {
    id: 'user_42',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
  }),
  unsubscribeUrl: leaf(
    'The link that stops this kind of email for the end user (empty in emails to operators).',
    'https://patchbay.example.com/notifications/unsubscribe?token=…',
  ),
};

const connection = leaf(
  'The connection: `id`, `name` (the integration as the end user knows it), `provider`, `integrationKey`, `status`.',
  {
    id: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m',
    name: 'Stripe',
    provider: 'stripe',
    integrationKey: 'stripe',
    status: 'reauth_required',
  },
);

const footerText = '{{#if unsubscribeUrl}}\n\n—\nStop these emails: {{unsubscribeUrl}}{{/if}}\n';
const footerHtml =
  '{{#if unsubscribeUrl}}<hr><p style="font-size:12px;color:#666">Don’t want these emails? <a href="{{unsubscribeUrl}}">Unsubscribe</a>.</p>{{/if}}';

/** Every kind, keyed by name. */
export const KINDS: Record<NotificationKind, KindDefinition> = {
  reauth_required: {
    kind: 'reauth_required',
    description:
      'A connection needs the end user to authorize it again (the provider refused its credentials).',
    defaultAudience: 'end_user',
    perConnection: true,
    variables: {
      ...common,
      connection,
      reason: leaf('Why the provider refused the credentials.', 'The refresh token was revoked'),
      reconnectUrl: leaf(
        'A link that opens the connect page to authorize the connection again.',
        'https://patchbay.example.com/notifications/reconnect?token=…',
      ),
    },
    template: {
      subject: 'Action needed: reconnect {{connection.name}}',
      text:
        'Hello{{#if endUser.name}} {{endUser.name}}{{/if}},\n\n' +
        '{{connection.name}} stopped accepting our access to your account ({{reason}}), so nothing is synced from it until you connect it again.\n\n' +
        'Reconnect {{connection.name}}: {{reconnectUrl}}' +
        footerText,
      html:
        '<p>Hello{{#if endUser.name}} {{endUser.name}}{{/if}},</p>' +
        '<p><strong>{{connection.name}}</strong> stopped accepting our access to your account ({{reason}}), so nothing is synced from it until you connect it again.</p>' +
        '<p><a href="{{reconnectUrl}}">Reconnect {{connection.name}}</a></p>' +
        footerHtml,
    },
  },
  sync_failing: {
    kind: 'sync_failing',
    description:
      'One sync of a connection failed several times in a row (the threshold is a setting, 3 by default).',
    defaultAudience: 'end_user',
    perConnection: true,
    variables: {
      ...common,
      connection,
      sync: leaf('The sync’s name.', 'sales'),
      failures: leaf('How many runs in a row failed.', 3),
      error: leaf('The last run’s error message.', 'gumroad did not answer'),
      reconnectUrl: leaf(
        'A link that opens the connect page for the connection.',
        'https://patchbay.example.com/notifications/reconnect?token=…',
      ),
    },
    template: {
      subject: '{{connection.name}}: {{sync}} sync failing',
      text:
        'Hello{{#if endUser.name}} {{endUser.name}}{{/if}},\n\n' +
        'The last {{failures}} attempts to sync {{sync}} from {{connection.name}} failed. The last error: {{error}}.\n\n' +
        'We keep trying. If it keeps failing, connecting the account again often helps: {{reconnectUrl}}' +
        footerText,
      html:
        '<p>Hello{{#if endUser.name}} {{endUser.name}}{{/if}},</p>' +
        '<p>The last {{failures}} attempts to sync <strong>{{sync}}</strong> from <strong>{{connection.name}}</strong> failed. The last error: {{error}}.</p>' +
        '<p>We keep trying. If it keeps failing, <a href="{{reconnectUrl}}">connecting the account again</a> often helps.</p>' +
        footerHtml,
    },
  },
  import_bad_rows: {
    kind: 'import_bad_rows',
    description: 'An import (an uploaded report) finished, but some of its rows were refused.',
    defaultAudience: 'end_user',
    perConnection: true,
    variables: {
      ...common,
      connection,
      sync: leaf('The import’s name.', 'royalties'),
      rejected: leaf('Rows refused.', 4),
      added: leaf('Records added.', 120),
      updated: leaf('Records updated.', 3),
    },
    template: {
      subject: '{{connection.name}} import: {{rejected}} rows refused',
      text:
        'Hello{{#if endUser.name}} {{endUser.name}}{{/if}},\n\n' +
        'Your {{sync}} import from {{connection.name}} finished: {{added}} added, {{updated}} updated, and {{rejected}} rows refused because they could not be read. Check those rows in the file and upload it again.' +
        footerText,
      html:
        '<p>Hello{{#if endUser.name}} {{endUser.name}}{{/if}},</p>' +
        '<p>Your <strong>{{sync}}</strong> import from <strong>{{connection.name}}</strong> finished: {{added}} added, {{updated}} updated, and <strong>{{rejected}} rows refused</strong> because they could not be read. Check those rows in the file and upload it again.</p>' +
        footerHtml,
    },
  },
  plan_changed: {
    kind: 'plan_changed',
    description: 'The end user’s plan (or the subscription it follows) changed.',
    defaultAudience: 'end_user',
    perConnection: false,
    variables: {
      ...common,
      fromPlan: leaf('The previous plan’s name (“Free” style), or empty for the default plan.', 'Free'),
      toPlan: leaf('The new plan’s name, or empty for the default plan.', 'Pro'),
      source: leaf('Who changed it: `api`, `file`, or a subscription rule.', 'api'),
    },
    template: {
      subject: 'Your plan is now {{#if toPlan}}{{toPlan}}{{else}}the default plan{{/if}}',
      text:
        'Hello{{#if endUser.name}} {{endUser.name}}{{/if}},\n\n' +
        'Your plan changed from {{#if fromPlan}}{{fromPlan}}{{else}}the default plan{{/if}} to {{#if toPlan}}{{toPlan}}{{else}}the default plan{{/if}}. The integrations you can use follow it.' +
        footerText,
      html:
        '<p>Hello{{#if endUser.name}} {{endUser.name}}{{/if}},</p>' +
        '<p>Your plan changed from {{#if fromPlan}}{{fromPlan}}{{else}}the default plan{{/if}} to <strong>{{#if toPlan}}{{toPlan}}{{else}}the default plan{{/if}}</strong>. The integrations you can use follow it.</p>' +
        footerHtml,
    },
  },
  weekly_digest: {
    kind: 'weekly_digest',
    description: 'Once a week: the end user’s connections, how their syncs went and what needs attention.',
    defaultAudience: 'end_user',
    perConnection: false,
    variables: {
      ...common,
      weekStart: leaf('The first day of the week summed up (YYYY-MM-DD, UTC).', '2026-11-30'),
      weekEnd: leaf('The last day of the week summed up (YYYY-MM-DD, UTC).', '2026-12-06'),
      connections: {
        description: 'Each connection: `name`, `status`, `succeeded` and `failed` (sync runs of the week).',
        items: {
          name: leaf('The integration’s name.', 'Stripe'),
          status: leaf('The connection’s status.', 'active'),
          succeeded: leaf('Sync runs that succeeded this week.', 14),
          failed: leaf('Sync runs that failed this week.', 0),
        },
      },
      succeeded: leaf('Sync runs that succeeded this week, all connections.', 14),
      failed: leaf('Sync runs that failed this week, all connections.', 1),
      problems: {
        description: 'What needs attention, one line each (`text`); empty when all is well.',
        items: { text: leaf('One problem.', 'Gumroad needs to be reconnected') },
      },
    },
    template: {
      subject: 'Your integrations, week of {{weekStart}}',
      text:
        'Hello{{#if endUser.name}} {{endUser.name}}{{/if}},\n\n' +
        'Your integrations from {{weekStart}} to {{weekEnd}}: {{succeeded}} syncs succeeded, {{failed}} failed.\n\n' +
        '{{#each connections}}- {{name}} ({{status}}): {{succeeded}} succeeded, {{failed}} failed\n{{/each}}' +
        '{{#if problems}}\nNeeds attention:\n{{#each problems}}- {{text}}\n{{/each}}{{else}}\nNothing needs your attention.\n{{/if}}' +
        footerText,
      html:
        '<p>Hello{{#if endUser.name}} {{endUser.name}}{{/if}},</p>' +
        '<p>Your integrations from {{weekStart}} to {{weekEnd}}: {{succeeded}} syncs succeeded, {{failed}} failed.</p>' +
        '<ul>{{#each connections}}<li><strong>{{name}}</strong> ({{status}}): {{succeeded}} succeeded, {{failed}} failed</li>{{/each}}</ul>' +
        '{{#if problems}}<p>Needs attention:</p><ul>{{#each problems}}<li>{{text}}</li>{{/each}}</ul>{{else}}<p>Nothing needs your attention.</p>{{/if}}' +
        footerHtml,
    },
  },
};

/** True when `value` names a kind. */
export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** Sample values of a kind's variables (their examples), for previews. */
export function sampleVariables(kind: NotificationKind): Record<string, unknown> {
  const sample = (specs: VariableSpecs): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => [
        name,
        'items' in spec ? [sample(spec.items)] : spec.example,
      ]),
    );
  return sample(KINDS[kind].variables);
}

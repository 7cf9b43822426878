/**
 * The catalog of Patchbay's event types: each with the zod schema of its `data`, a one-line
 * description and an example. appendEvent validates every event against it (an event that does
 * not match is a bug and is never stored), `GET /v1/event-types` serves it with JSON Schemas,
 * and docs/events.md documents it. A new event type is one entry here.
 *
 * Types are exact (`connection.created`) or a family matched by a pattern
 * (`inbound.<provider>.<type>`, one type per provider webhook type).
 */
import { z } from 'zod';
import { SCRIPT_EVENT_CATALOG, type ScriptEventType } from './script-events.ts';

const id = (example: string) => z.string().min(1).meta({ example });
const iso = z.string().meta({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' });

/** Identities of a connection: every `connection.*`, `sync.*`, `records.*`, `action.*` event and every event a script emits carries them. */
const connectionFields = {
  connectionId: id('conn_01jz8x7y6w5v4t3s2r1q0p9n8m'),
  integrationId: id('int_01jz8x7y6w5v4t3s2r1q0p9n8m'),
  integrationKey: id('gumroad'),
  provider: id('gumroad'),
  endUserId: id('user_42'),
};
const connectionData = z.object(connectionFields);
const errorData = z.object({ code: z.string(), message: z.string() });
const endpointFields = { endpointId: id('ep_01jz8x7y6w5v4t3s2r1q0p9n8m'), url: z.string() };
const syncFields = {
  ...connectionFields,
  sync: id('sales'),
  syncRunId: id('run_01jz8x7y6w5v4t3s2r1q0p9n8m'),
};
const counts = {
  added: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
};
const actionFields = {
  ...connectionFields,
  action: id('create-invoice'),
  actionRunId: id('act_01jz8x7y6w5v4t3s2r1q0p9n8m'),
  mode: z.enum(['sync', 'async']),
  durationMs: z.number().int().nonnegative(),
};

/** One entry of the catalog. */
export interface EventTypeDefinition<Schema extends z.ZodType = z.ZodType> {
  /** The exact type, or the family's shape (`inbound.<provider>.<type>`). */
  readonly type: string;
  /** For a family: the types it covers. */
  readonly pattern?: RegExp;
  readonly description: string;
  readonly data: Schema;
  /** A valid `data`, for the docs and contract tests. */
  readonly example: z.input<Schema>;
}

function defineEventType<Schema extends z.ZodType>(
  definition: EventTypeDefinition<Schema>,
): EventTypeDefinition<Schema> {
  return Object.freeze(definition);
}

const connection = {
  connectionId: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m',
  integrationId: 'int_01jz8x7y6w5v4t3s2r1q0p9n8m',
  integrationKey: 'gumroad',
  provider: 'gumroad',
  endUserId: 'user_42',
};
const endpoint = { endpointId: 'ep_01jz8x7y6w5v4t3s2r1q0p9n8m', url: 'https://example.com/webhooks' };

type ScriptCatalog = typeof SCRIPT_EVENT_CATALOG;
type ScriptEntries = {
  [T in ScriptEventType]: EventTypeDefinition<
    z.ZodObject<
      Omit<ScriptCatalog[T]['data']['shape'], keyof typeof connectionFields> & typeof connectionFields
    >
  >;
};

/**
 * The types scripts emit (src/events/script-events.ts), with the connection's identities the
 * engine adds: the catalog documents and validates the event as it is written.
 */
function scriptEventEntries(): ScriptEntries {
  const entries = Object.entries(SCRIPT_EVENT_CATALOG).map(([type, definition]) => [
    type,
    defineEventType({
      type,
      description: definition.description,
      data: definition.data.extend(connectionFields),
      example: {
        ...connection,
        provider: definition.exampleProvider,
        integrationKey: definition.exampleProvider,
        ...definition.example,
      },
    }),
  ]);
  return Object.fromEntries(entries) as ScriptEntries;
}

/** The exact event types, keyed by type. */
export const EVENT_CATALOG = {
  'connection.created': defineEventType({
    type: 'connection.created',
    description: 'An end user connected an account (a new connection).',
    data: connectionData,
    example: connection,
  }),
  'connection.reconnected': defineEventType({
    type: 'connection.reconnected',
    description: 'An end user authorized an existing connection again; its credentials were replaced.',
    data: connectionData,
    example: connection,
  }),
  'connection.deleted': defineEventType({
    type: 'connection.deleted',
    description:
      'A connection and its credentials were deleted; `revoked` says whether the provider revoked the grant.',
    data: z.object({ ...connectionFields, revoked: z.boolean() }),
    example: { ...connection, revoked: true },
  }),
  'connection.reauth_required': defineEventType({
    type: 'connection.reauth_required',
    description: 'The provider refused the connection’s credentials; the end user must connect again.',
    data: z.object({ ...connectionFields, reason: errorData }),
    example: { ...connection, reason: { code: 'invalid_grant', message: 'The refresh token was revoked' } },
  }),
  'connection.paused': defineEventType({
    type: 'connection.paused',
    description:
      'A connection was paused because its end user’s plan allows fewer connections (or no longer has its integration): it is kept, its syncs and calls stop.',
    data: z.object({ ...connectionFields, reason: z.string().meta({ example: 'connections' }) }),
    example: { ...connection, reason: 'connections' },
  }),
  'connection.resumed': defineEventType({
    type: 'connection.resumed',
    description: 'A paused connection is active again (the plan allows it again).',
    data: connectionData,
    example: connection,
  }),
  'end_user.deleted': defineEventType({
    type: 'end_user.deleted',
    description:
      'An end user was deleted, with their connections (revoked at the provider where it can be) and usage.',
    data: z.object({
      endUserId: id('user_42'),
      connectionsDeleted: z.number().int().nonnegative(),
    }),
    example: { endUserId: 'user_42', connectionsDeleted: 2 },
  }),
  'end_user.plan_changed': defineEventType({
    type: 'end_user.plan_changed',
    description:
      'An end user’s plan changed (`from`/`to` are plan keys, null for the default plan); `source` says who changed it (`api`, `subscription`…).',
    data: z.object({
      endUserId: id('user_42'),
      from: z.string().nullable(),
      to: z.string().nullable(),
      source: z.string().meta({ example: 'api' }),
      subscription: z
        .object({
          ruleKey: z.string(),
          integrationKey: z.string(),
          subscriptionId: z.string().nullable(),
          status: z.string().nullable(),
        })
        .optional()
        .meta({
          description:
            'With `source: "subscription"`: the plan-from-subscription rule and the subscription that decided it.',
        }),
    }),
    example: { endUserId: 'user_42', from: 'free', to: 'pro', source: 'api' },
  }),
  'plan.updated': defineEventType({
    type: 'plan.updated',
    description: 'A plan was created, changed or deleted; `version` is its new version in the audit log.',
    data: z.object({
      planKey: id('pro'),
      version: z.number().int().positive(),
      change: z.enum(['created', 'updated', 'deleted']),
      actor: z.string().meta({ example: 'key_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    }),
    example: { planKey: 'pro', version: 2, change: 'updated', actor: 'key_01jz8x7y6w5v4t3s2r1q0p9n8m' },
  }),
  'notification.failed': defineEventType({
    type: 'notification.failed',
    description:
      'A notification email could not be sent after its retries (or was refused for good); `error` says why. The notification log keeps it as `failed`.',
    data: z.object({
      notificationId: id('ntf_01jz8x7y6w5v4t3s2r1q0p9n8m'),
      kind: z.string().meta({ example: 'reauth_required' }),
      endUserId: z.string().nullable(),
      connectionId: z.string().nullable(),
      channel: z.string().meta({ example: 'smtp' }),
      error: errorData,
    }),
    example: {
      notificationId: 'ntf_01jz8x7y6w5v4t3s2r1q0p9n8m',
      kind: 'reauth_required',
      endUserId: 'user_42',
      connectionId: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m',
      channel: 'smtp',
      error: {
        code: 'smtp_failed',
        message: 'The SMTP server did not take the email: 550 mailbox unavailable',
      },
    },
  }),
  'endpoint.failing': defineEventType({
    type: 'endpoint.failing',
    description:
      'An endpoint has had no successful delivery for a while and will be disabled at `disableAt` unless one succeeds.',
    data: z.object({ ...endpointFields, failingSince: iso, disableAt: iso }),
    example: { ...endpoint, failingSince: '2026-01-01T00:00:00.000Z', disableAt: '2026-01-06T00:00:00.000Z' },
  }),
  'endpoint.disabled': defineEventType({
    type: 'endpoint.disabled',
    description:
      'An endpoint was disabled: by a person (`manual`), by a 410 answer (`gone`) or after failing too long (`failing`).',
    data: z.object({ ...endpointFields, reason: z.enum(['manual', 'gone', 'failing']) }),
    example: { ...endpoint, reason: 'failing' },
  }),
  'endpoint.enabled': defineEventType({
    type: 'endpoint.enabled',
    description: 'A disabled endpoint was enabled again.',
    data: z.object(endpointFields),
    example: endpoint,
  }),
  'sync.succeeded': defineEventType({
    type: 'sync.succeeded',
    description: 'A sync run finished, with its counts over all the models it wrote.',
    data: z.object({
      ...syncFields,
      models: z.array(z.string()).meta({ example: ['sales'] }),
      ...counts,
      rejected: z.number().int().nonnegative().meta({
        description: 'Rows of an uploaded report that were refused; 0 for runs that import nothing.',
      }),
      durationMs: z.number().int().nonnegative(),
    }),
    example: {
      ...connection,
      sync: 'sales',
      models: ['sales'],
      syncRunId: 'run_01jz8x7y6w5v4t3s2r1q0p9n8m',
      added: 12,
      updated: 3,
      deleted: 0,
      rejected: 0,
      durationMs: 842,
    },
  }),
  'sync.failed': defineEventType({
    type: 'sync.failed',
    description: 'A sync run failed; `error` says why. Records it committed before failing stay.',
    data: z.object({ ...syncFields, error: errorData, durationMs: z.number().int().nonnegative() }),
    example: {
      ...connection,
      sync: 'sales',
      syncRunId: 'run_01jz8x7y6w5v4t3s2r1q0p9n8m',
      error: { code: 'provider_unreachable', message: 'gumroad did not answer' },
      durationMs: 15_000,
    },
  }),
  'records.changed': defineEventType({
    type: 'records.changed',
    description:
      'Records of one model changed for a connection (only when something was added, updated or deleted): by a sync run (`sync`, `syncRunId`) or by a webhook handler (`webhookHandler`, `inboundEventId`; `sync` and `syncRunId` are then null).',
    data: z.object({
      ...connectionFields,
      sync: id('sales').nullable(),
      syncRunId: id('run_01jz8x7y6w5v4t3s2r1q0p9n8m').nullable(),
      webhookHandler: id('invoices').optional(),
      inboundEventId: id('in_01jz8x7y6w5v4t3s2r1q0p9n8m').optional(),
      model: id('sales'),
      ...counts,
    }),
    example: {
      ...connection,
      sync: 'sales',
      model: 'sales',
      syncRunId: 'run_01jz8x7y6w5v4t3s2r1q0p9n8m',
      added: 12,
      updated: 3,
      deleted: 0,
    },
  }),
  'action.succeeded': defineEventType({
    type: 'action.succeeded',
    description: 'An action run finished; `output` is its validated output (the result of an async run).',
    data: z.object({ ...actionFields, output: z.unknown() }),
    example: {
      ...connection,
      provider: 'stripe',
      integrationKey: 'stripe',
      action: 'create-invoice',
      actionRunId: 'act_01jz8x7y6w5v4t3s2r1q0p9n8m',
      mode: 'async',
      durationMs: 640,
      output: { invoiceId: 'in_1PXYZ', status: 'open' },
    },
  }),
  'action.failed': defineEventType({
    type: 'action.failed',
    description:
      'An action run failed; `error` says why (`action_interrupted`: the outcome at the provider is unknown).',
    data: z.object({ ...actionFields, error: errorData }),
    example: {
      ...connection,
      provider: 'stripe',
      integrationKey: 'stripe',
      action: 'create-invoice',
      actionRunId: 'act_01jz8x7y6w5v4t3s2r1q0p9n8m',
      mode: 'async',
      durationMs: 60_000,
      error: {
        code: 'action_timeout',
        message: 'The action "create-invoice" did not finish within 60000 ms',
      },
    },
  }),
  ...scriptEventEntries(),
} as const;

/** `inbound.<provider>.<type>`: a verified provider webhook, routed to its connection when known. */
export const INBOUND_EVENT = defineEventType({
  type: 'inbound.<provider>.<type>',
  pattern: /^inbound\.[a-z0-9_-]+(\.[a-z0-9_-]+)+$/,
  description:
    'A provider webhook was received and verified; `<type>` is the provider’s own event type, lower-cased with dots.',
  data: z.object({
    inboundEventId: id('in_01jz8x7y6w5v4t3s2r1q0p9n8m'),
    provider: id('stripe'),
    integrationKey: id('stripe'),
    providerEventType: z.string().meta({ example: 'invoice.paid' }),
    connectionId: z.string().nullable(),
    endUserId: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
  }),
  example: {
    inboundEventId: 'in_01jz8x7y6w5v4t3s2r1q0p9n8m',
    provider: 'stripe',
    integrationKey: 'stripe',
    providerEventType: 'invoice.paid',
    connectionId: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m',
    endUserId: 'user_42',
    payload: { id: 'evt_1PXYZ', type: 'invoice.paid' },
  },
});

type ExactCatalog = typeof EVENT_CATALOG;
/** An exact catalog type. */
export type CatalogEventType = keyof ExactCatalog;
/** An inbound family type. */
export type InboundEventType = `inbound.${string}.${string}`;

/** Event type → its data, for typed writers (appendEvent). */
export type EventDataMap = { [T in CatalogEventType]: z.input<ExactCatalog[T]['data']> } & {
  [T in InboundEventType]: z.input<typeof INBOUND_EVENT.data>;
};
export type EventType = CatalogEventType | InboundEventType;

/** What a `connection.*` event carries: identities only, never a credential. */
export type ConnectionEventData = z.input<typeof connectionData>;

/** Every entry, exact types first, then families. */
export const EVENT_TYPE_DEFINITIONS: readonly EventTypeDefinition[] = [
  ...Object.values(EVENT_CATALOG),
  INBOUND_EVENT,
];

/** The exact catalog types. */
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as CatalogEventType[];

/**
 * The first segment of every catalog type (`connection`, `inbound`…): types under them are
 * Patchbay's own, so messages created through the API cannot use them (a receiver trusts that a
 * `connection.*` message came from Patchbay).
 */
export const RESERVED_PREFIXES: readonly string[] = [
  ...new Set(EVENT_TYPE_DEFINITIONS.map((definition) => definition.type.split('.')[0]!)),
];

/**
 * The shape of every event type: lower-case dot-separated segments, at least two; `-` is allowed
 * after the first segment because provider keys have it (`inbound.google-sheets.…`).
 */
export const EVENT_TYPE_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_-]+)+$/;

/** The catalog entry of a type (exact, then families), or undefined. */
export function eventTypeDefinition(type: string): EventTypeDefinition | undefined {
  if (Object.hasOwn(EVENT_CATALOG, type)) return EVENT_CATALOG[type as CatalogEventType];
  return INBOUND_EVENT.pattern?.test(type) ? INBOUND_EVENT : undefined;
}

/** True when `type` is under a prefix the catalog reserves. */
export function isReservedEventType(type: string): boolean {
  return RESERVED_PREFIXES.includes(type.split('.')[0]!);
}

/** The JSON Schema of an entry's data (what a receiver can validate against). */
export function eventDataJsonSchema(definition: EventTypeDefinition): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(definition.data, { io: 'input' }) as Record<
    string,
    unknown
  >;
  return schema;
}

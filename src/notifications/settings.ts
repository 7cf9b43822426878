/**
 * An environment's notification settings: the channel emails go through (the engine's SMTP
 * server, or a connected Resend/SendGrid-style integration whose `send-email` action sends them),
 * the sender, the operators' addresses, the throttle window, the sync-failure threshold and, per
 * kind, whether it is sent and to whom. Stored as one JSON row; absent means the defaults.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';
import { type Audience, KINDS, NOTIFICATION_KINDS, type NotificationKind } from './kinds.ts';

const kindEnum = z.enum(NOTIFICATION_KINDS);
const audienceEnum = z.enum(['end_user', 'operators', 'both']);

/** The settings as the API accepts them: every field optional, omitted ones take their default. */
export const notificationSettingsInputSchema = z
  .object({
    channel: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('smtp') }),
        z.object({
          type: z.literal('connection'),
          connectionId: z.string().min(1).max(100).meta({ example: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
        }),
      ])
      .optional()
      .meta({
        description:
          '`smtp` (PATCHBAY_SMTP_URL) or `connection`: a connection whose integration has a `send-email` action (Resend, SendGrid, or your own provider).',
      }),
    from: z.string().min(3).max(320).nullable().optional().meta({
      description: 'Sender (`Name <address>`); null: PATCHBAY_MAIL_FROM.',
      example: 'Acme <alerts@acme.example>',
    }),
    operators: z
      .array(z.email().max(320))
      .max(50)
      .optional()
      .meta({ description: 'The host’s operators, for kinds sent to `operators`.' }),
    throttleMinutes: z.number().int().min(0).max(10_080).optional().meta({
      description: 'At most one email per connection (or end user) and kind in this window. Default 60.',
    }),
    syncFailureThreshold: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'Failed runs in a row of one sync before `sync_failing` is sent. Default 3.' }),
    kinds: z
      .partialRecord(
        kindEnum,
        z.object({ enabled: z.boolean().optional(), audience: audienceEnum.optional() }).strict(),
      )
      .optional()
      .meta({ description: 'Per kind: `enabled` (default true) and `audience` (default `end_user`).' }),
  })
  .strict();

export type NotificationSettingsInput = z.infer<typeof notificationSettingsInputSchema>;

export type NotificationChannel = { type: 'smtp' } | { type: 'connection'; connectionId: string };

/** Settings with every default filled in. */
export interface NotificationSettings {
  channel: NotificationChannel;
  from: string | null;
  operators: string[];
  throttleMinutes: number;
  syncFailureThreshold: number;
  kinds: Record<NotificationKind, { enabled: boolean; audience: Audience }>;
}

/** The defaults applied to what the host left out. */
export function resolveSettings(input: NotificationSettingsInput): NotificationSettings {
  const kinds = Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => [
      kind,
      {
        enabled: input.kinds?.[kind]?.enabled ?? true,
        audience: input.kinds?.[kind]?.audience ?? KINDS[kind].defaultAudience,
      },
    ]),
  ) as NotificationSettings['kinds'];
  return {
    channel: input.channel ?? { type: 'smtp' },
    from: input.from ?? null,
    operators: input.operators ?? [],
    throttleMinutes: input.throttleMinutes ?? 60,
    syncFailureThreshold: input.syncFailureThreshold ?? 3,
    kinds,
  };
}

export interface SettingsStore {
  get(environmentId: string, executor?: Kysely<Database>): Promise<NotificationSettings>;
  /** Replaces the settings; `checkConnection` refuses a channel connection that cannot send. */
  put(environmentId: string, input: NotificationSettingsInput): Promise<NotificationSettings>;
}

export function createSettingsStore(options: {
  db: Kysely<Database>;
  clock: Clock;
  /** Throws `validation_failed` unless the connection exists in the environment and can send email. */
  checkConnection(environmentId: string, connectionId: string): Promise<void>;
}): SettingsStore {
  const { db, clock } = options;
  return {
    async get(environmentId, executor = db) {
      const row = await executor
        .selectFrom('notification_settings')
        .select('settings')
        .where('environment_id', '=', environmentId)
        .executeTakeFirst();
      return resolveSettings(row ? (JSON.parse(row.settings) as NotificationSettingsInput) : {});
    },
    async put(environmentId, input) {
      const parsed = notificationSettingsInputSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new PatchbayError(
          'validation_failed',
          `Invalid notification settings: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
          { details: { issues } },
        );
      }
      if (parsed.data.channel?.type === 'connection') {
        await options.checkConnection(environmentId, parsed.data.channel.connectionId);
      }
      const now = clock.now();
      const settings = JSON.stringify(parsed.data);
      await db
        .insertInto('notification_settings')
        .values({ environment_id: environmentId, settings, updated_at: now })
        .onConflict((conflict) =>
          conflict.column('environment_id').doUpdateSet({ settings, updated_at: now }),
        )
        .execute();
      return resolveSettings(parsed.data);
    },
  };
}

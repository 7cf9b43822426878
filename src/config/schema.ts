import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Accepts `1048576`, `512kb`, `10mb` (case-insensitive). */
const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const match = /^\s*(\d+)\s*(b|kb|mb|gb)?\s*$/i.exec(String(value));
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'expected a size such as 1048576, 512kb or 10mb' });
    return z.NEVER;
  }
  return Number(match[1]) * (BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1);
});

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0`, `500ms`, `5s`, `5m`, `2h`, `1d` → milliseconds; undefined when malformed. */
function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (match[2] === undefined) return amount === 0 ? 0 : undefined;
  return amount * (DURATION_UNITS[match[2]] ?? 1);
}

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * The engine's configuration. Field names are camelCase here; each is read from the environment
 * variable named in CONFIG_ENV (PATCHBAY_ + upper snake case) or from the optional JSON file.
 */
export const configSchema = z.object({
  /** Where the embedded database, the generated encryption key and other local state live. */
  dataDir: z.string().min(1).default('./data'),
  /** `postgres://…` switches to PostgreSQL; empty means the embedded SQLite file in dataDir. */
  databaseUrl: z
    .string()
    .refine((url) => url === '' || /^(postgres(ql)?|sqlite|file):/.test(url), {
      message: 'expected a postgres://, postgresql://, sqlite: or file: URL',
    })
    .default(''),
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(4400),
  /** The URL end users and providers reach this server at (OAuth callbacks, webhook URLs). */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Encryption keys as `kid:base64key` pairs separated by commas; the first encrypts, all decrypt.
   * Empty in the embedded default: a key is generated into dataDir on first start.
   */
  encryptionKeys: z.string().default(''),
  logLevel: logLevel.default('info'),
  /** Largest request body the API accepts; larger ones get 413 `payload_too_large`. */
  bodyLimit: byteSize.default(1024 * 1024),
  /** Requests per minute allowed to one API key; over it, 429 `rate_limited` with Retry-After. */
  apiRateLimit: positiveInt.default(600),
  /** Which parts of the engine this process runs. */
  role: z.enum(['all', 'api', 'worker']).default('all'),
  workerConcurrency: positiveInt.default(8),
  /**
   * Webhook delivery attempts one worker process runs at once, apart from workerConcurrency:
   * deliveries mostly wait on the network and on group commits, so more of them in flight
   * (bounded per endpoint by its maxConcurrency) share each commit.
   */
  deliveryConcurrency: positiveInt.default(32),
  /**
   * Sync runs one worker process runs at once, besides its other jobs: runs are long, so they get
   * their own slots and never hold up deliveries or maintenance.
   */
  syncConcurrency: positiveInt.default(4),
  /** Shortest sync frequency a schedule may have, in seconds (plans may only raise it). */
  minSyncFrequencySeconds: positiveInt.default(60),
  /** How long shutdown waits for in-flight jobs before releasing their leases. */
  shutdownTimeoutMs: positiveInt.default(10_000),
  /**
   * How long a worker holds a job it claimed (its heartbeat renews the lease every third of it):
   * after a crash, the job runs again once this has passed. Shorter reclaims sooner, at the cost
   * of more heartbeat writes.
   */
  jobLeaseMs: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /**
   * Address ranges outbound requests (provider calls, token endpoints) may reach although they
   * are not public: `loopback`, `private`, or CIDRs, comma-separated. Empty in production; the
   * sandbox and local development need `loopback`.
   */
  allowPrivateNetworks: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(
      z.array(
        z.union([
          z.enum(['loopback', 'private']),
          z
            .string()
            .regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'expected loopback, private or a CIDR such as 10.0.0.0/8'),
        ]),
      ),
    ),
  /**
   * Directories of the host's own provider definitions (one folder per provider, as in
   * `providers/`), comma-separated; discovered after the built-in ones.
   */
  providerDirs: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    ),
  /** Tokens are refreshed this long before they expire. */
  refreshMarginSeconds: positiveInt.default(300),
  /** Per-attempt timeout of provider requests made through the proxy. */
  proxyTimeoutMs: positiveInt.default(30_000),
  /** Outbound webhooks: how long one delivery attempt may take before it counts as failed. */
  webhookTimeoutMs: positiveInt.default(15_000),
  /**
   * Delays before each delivery attempt, comma-separated (`0,5s,5m,30m,2h,5h,10h,10h`): the first
   * is the first attempt, each next one follows a failure. Units: ms, s, m, h, d.
   */
  webhookRetrySchedule: z
    .string()
    .default('0,5s,5m,30m,2h,5h,10h,10h')
    .transform((value, ctx) => {
      const delays = value.split(',').map((part) => parseDuration(part.trim()));
      if (delays.length === 0 || delays.length > 20 || delays.some((d) => d === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'expected 1 to 20 durations such as 0,5s,5m,30m,2h' });
        return z.NEVER;
      }
      return delays as number[];
    }),
  /** Each retry delay varies by up to this fraction either way, so retries of many messages spread out. */
  webhookRetryJitter: z.coerce.number().min(0).max(0.5).default(0.2),
  /** An endpoint failing for this long without a single success is warned about (`endpoint.failing`). */
  endpointFailingWarnAfterHours: positiveInt.default(24),
  /** An endpoint failing for this long without a single success is disabled (`endpoint.disabled`). */
  endpointDisableAfterHours: positiveInt.default(120),
  /** A provider's redelivery of an event received within this window is acknowledged and ignored. */
  inboundDedupeWindowHours: positiveInt.default(168),
  /** How long a connect session token stays valid unless the host asks for another lifetime. */
  connectSessionTtlSeconds: positiveInt.max(86_400).default(1800),
  /**
   * A JSON file of plans loaded at start (docs/plans.md): `{ "plans": [...] }` for every
   * environment, `environments.<name>.plans` for one. Unset: plans come from the API only.
   */
  plansFile: z.string().min(1).optional(),
  /**
   * The SMTP server notification emails go through (docs/notifications.md):
   * `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Unset: only a
   * connection channel (Resend, SendGrid…) can send.
   */
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'expected an smtp:// or smtps:// URL')
    .optional(),
  /** The default sender of notification emails (`Name <address>`); an environment may set its own. */
  mailFrom: z.string().min(3).max(320).optional(),
});

export type PatchbayConfig = z.output<typeof configSchema>;
export type PatchbayConfigInput = z.input<typeof configSchema>;

/** The environment variable that sets each config field. */
export const CONFIG_ENV: { [K in keyof PatchbayConfig]-?: string } = {
  dataDir: 'PATCHBAY_DATA_DIR',
  databaseUrl: 'PATCHBAY_DATABASE_URL',
  host: 'PATCHBAY_HOST',
  port: 'PATCHBAY_PORT',
  publicUrl: 'PATCHBAY_PUBLIC_URL',
  encryptionKeys: 'PATCHBAY_ENCRYPTION_KEYS',
  logLevel: 'PATCHBAY_LOG_LEVEL',
  bodyLimit: 'PATCHBAY_BODY_LIMIT',
  apiRateLimit: 'PATCHBAY_API_RATE_LIMIT',
  role: 'PATCHBAY_ROLE',
  workerConcurrency: 'PATCHBAY_WORKER_CONCURRENCY',
  deliveryConcurrency: 'PATCHBAY_DELIVERY_CONCURRENCY',
  syncConcurrency: 'PATCHBAY_SYNC_CONCURRENCY',
  minSyncFrequencySeconds: 'PATCHBAY_MIN_SYNC_FREQUENCY_SECONDS',
  shutdownTimeoutMs: 'PATCHBAY_SHUTDOWN_TIMEOUT_MS',
  jobLeaseMs: 'PATCHBAY_JOB_LEASE_MS',
  allowPrivateNetworks: 'PATCHBAY_ALLOW_PRIVATE_NETWORKS',
  providerDirs: 'PATCHBAY_PROVIDER_DIRS',
  refreshMarginSeconds: 'PATCHBAY_REFRESH_MARGIN_SECONDS',
  proxyTimeoutMs: 'PATCHBAY_PROXY_TIMEOUT_MS',
  connectSessionTtlSeconds: 'PATCHBAY_CONNECT_SESSION_TTL_SECONDS',
  inboundDedupeWindowHours: 'PATCHBAY_INBOUND_DEDUPE_WINDOW_HOURS',
  webhookTimeoutMs: 'PATCHBAY_WEBHOOK_TIMEOUT_MS',
  webhookRetrySchedule: 'PATCHBAY_WEBHOOK_RETRY_SCHEDULE',
  webhookRetryJitter: 'PATCHBAY_WEBHOOK_RETRY_JITTER',
  endpointFailingWarnAfterHours: 'PATCHBAY_ENDPOINT_FAILING_WARN_AFTER_HOURS',
  endpointDisableAfterHours: 'PATCHBAY_ENDPOINT_DISABLE_AFTER_HOURS',
  plansFile: 'PATCHBAY_PLANS_FILE',
  smtpUrl: 'PATCHBAY_SMTP_URL',
  mailFrom: 'PATCHBAY_MAIL_FROM',
};

/** Variable that names an optional JSON config file; environment variables override it. */
export const CONFIG_FILE_ENV = 'PATCHBAY_CONFIG_FILE';

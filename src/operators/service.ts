import { createHash, randomBytes } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock/index.ts';
import type { EnvironmentsService } from '../environments/index.ts';
import { PatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import type { Store } from '../store/index.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import type { DashboardSession, Operator, OperatorsService, SignIn } from './types.ts';

export interface OperatorsServiceOptions {
  store: Pick<Store, 'db'>;
  environments: Pick<EnvironmentsService, 'authenticate' | 'getEnvironment'>;
  clock: Clock;
  /** How long a session lasts from sign-in, ms. Default 12 hours: a working day, not a week. */
  sessionTtlMs?: number;
  /** Consecutive failed passwords that lock an account. Default 5. */
  maxFailedPasswords?: number;
  /** How long a locked account (or client) is refused, ms. Default 15 minutes. */
  lockoutMs?: number;
  /** Failed sign-ins one client (IP) may make per lockout window, any method. Default 20. */
  maxFailuresPerClient?: number;
}

const MIN_PASSWORD_LENGTH = 12;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function failed(): PatchbayError {
  // One message for every cause, so a failure does not tell which emails or keys exist.
  return new PatchbayError(
    'sign_in_failed',
    'Sign-in failed: the API key, or the email and password, are not valid',
  );
}

function locked(retryAfterMs: number): PatchbayError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new PatchbayError(
    'sign_in_locked',
    `Too many failed sign-ins: try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s)`,
    { details: { retryAfterSeconds } },
  );
}

/**
 * Operator accounts and dashboard sessions. A session is bound at sign-in to one environment —
 * the key's, or one an operator picks — and every dashboard call acts in it. Passwords are
 * hashed with scrypt; an account locks after repeated failures (state in the database, so every
 * API process sees it) and each client is limited too (in this process), which also covers key
 * guessing, where there is no account to lock.
 */
export function createOperatorsService(options: OperatorsServiceOptions): OperatorsService {
  const { store, environments, clock } = options;
  const db = store.db;
  const ttl = options.sessionTtlMs ?? 12 * 3_600_000;
  const maxFailed = options.maxFailedPasswords ?? 5;
  const lockoutMs = options.lockoutMs ?? 15 * 60_000;
  const clients = new RateLimiterMemory({
    points: options.maxFailuresPerClient ?? 20,
    duration: Math.ceil(lockoutMs / 1000),
  });

  const present = (row: { id: string; email: string; created_at: number }): Operator => ({
    id: row.id,
    email: row.email,
    createdAt: Number(row.created_at),
  });

  async function refuseLockedClient(client: string): Promise<void> {
    const state = await clients.get(client);
    if (state && state.remainingPoints <= 0) throw locked(state.msBeforeNext);
  }

  async function countFailure(client: string): Promise<void> {
    await clients.consume(client).catch((rejection: unknown) => {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
    });
  }

  async function open(
    environmentId: string,
    apiKeyId: string | null,
    operator: Operator | null,
  ): Promise<{ session: DashboardSession; token: string }> {
    const token = `pb_ds_${randomBytes(32).toString('base64url')}`;
    const now = clock.now();
    const session: DashboardSession = {
      environment: await environments.getEnvironment(environmentId),
      apiKeyId,
      operator,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: now + ttl,
    };
    await db
      .insertInto('dashboard_sessions')
      .values({
        token_hash: sha256(token),
        environment_id: environmentId,
        api_key_id: apiKeyId,
        operator_id: operator?.id ?? null,
        csrf_token: session.csrfToken,
        created_at: now,
        expires_at: session.expiresAt,
      })
      .execute();
    // Ended sessions are swept as new ones open: cheap (indexed), and no extra job to schedule.
    await db.deleteFrom('dashboard_sessions').where('expires_at', '<=', now).execute();
    return { session, token };
  }

  async function signInWithPassword(email: string, password: string) {
    const now = clock.now();
    const row = await db
      .selectFrom('operators')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    if (!row) {
      await verifyPassword(password, await decoyHash());
      return null;
    }
    const lockedUntil = row.locked_until === null ? null : Number(row.locked_until);
    if (lockedUntil !== null && lockedUntil > now) throw locked(lockedUntil - now);
    if (!(await verifyPassword(password, row.password_hash))) {
      const attempts = row.failed_attempts + 1;
      const lock = attempts >= maxFailed;
      await db
        .updateTable('operators')
        .set({ failed_attempts: lock ? 0 : attempts, locked_until: lock ? now + lockoutMs : null })
        .where('id', '=', row.id)
        .execute();
      if (lock) throw locked(lockoutMs);
      return null;
    }
    await db
      .updateTable('operators')
      .set({ failed_attempts: 0, locked_until: null })
      .where('id', '=', row.id)
      .execute();
    return present(row);
  }

  async function firstEnvironmentId(): Promise<string> {
    const row = await db
      .selectFrom('environments')
      .select('id')
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (!row) throw new PatchbayError('not_found', 'No environment exists yet');
    return row.id;
  }

  return {
    async createOperator(email, password) {
      const normalized = email.trim().toLowerCase();
      if (!/^[^\s@]+@[^\s@]+$/.test(normalized)) {
        throw new PatchbayError('validation_failed', `"${email}" is not an email address`);
      }
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new PatchbayError(
          'validation_failed',
          `The password must have at least ${MIN_PASSWORD_LENGTH} characters`,
        );
      }
      const existing = await db
        .selectFrom('operators')
        .select('id')
        .where('email', '=', normalized)
        .executeTakeFirst();
      if (existing) throw new PatchbayError('conflict', `An operator ${normalized} already exists`);
      const row = {
        id: newId('operator'),
        email: normalized,
        password_hash: await hashPassword(password),
        failed_attempts: 0,
        locked_until: null,
        created_at: clock.now(),
      };
      await db.insertInto('operators').values(row).execute();
      return present(row);
    },

    async listOperators() {
      const rows = await db
        .selectFrom('operators')
        .select(['id', 'email', 'created_at'])
        .orderBy('id')
        .execute();
      return rows.map(present);
    },

    async signIn(credentials: SignIn, client) {
      await refuseLockedClient(client);
      if ('apiKey' in credentials) {
        const auth = await environments.authenticate(credentials.apiKey);
        if (!auth) {
          await countFailure(client);
          throw failed();
        }
        return open(auth.environment.id, auth.keyId, null);
      }
      const operator = await signInWithPassword(credentials.email, credentials.password);
      if (!operator) {
        await countFailure(client);
        throw failed();
      }
      return open(await firstEnvironmentId(), null, operator);
    },

    async authenticate(token) {
      if (!token.startsWith('pb_ds_') || token.length > 100) return null;
      const row = await db
        .selectFrom('dashboard_sessions as s')
        .innerJoin('environments as e', 'e.id', 's.environment_id')
        .leftJoin('api_keys as k', 'k.id', 's.api_key_id')
        .leftJoin('operators as o', 'o.id', 's.operator_id')
        .select([
          's.api_key_id',
          's.csrf_token',
          's.expires_at',
          'e.id as environment_id',
          'e.name as environment_name',
          'e.created_at as environment_created_at',
          'k.revoked_at as key_revoked_at',
          'o.id as operator_id',
          'o.email as operator_email',
          'o.created_at as operator_created_at',
        ])
        .where('s.token_hash', '=', sha256(token))
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= clock.now()) return null;
      // A key session ends when its key is revoked; an operator session when the account is deleted.
      if (row.api_key_id !== null && row.key_revoked_at !== null) return null;
      if (row.api_key_id === null && row.operator_id === null) return null;
      return {
        environment: {
          id: row.environment_id,
          name: row.environment_name,
          createdAt: Number(row.environment_created_at),
        },
        apiKeyId: row.api_key_id,
        operator:
          row.operator_id !== null && row.operator_email !== null
            ? { id: row.operator_id, email: row.operator_email, createdAt: Number(row.operator_created_at) }
            : null,
        csrfToken: row.csrf_token,
        expiresAt: Number(row.expires_at),
      };
    },

    async switchEnvironment(token, environmentId) {
      const current = await this.authenticate(token);
      if (!current) throw new PatchbayError('unauthorized', 'The dashboard session has ended: sign in again');
      if (!current.operator) {
        throw new PatchbayError(
          'forbidden',
          "A session opened with an API key stays in the key's environment: sign in with another environment's key",
        );
      }
      const environment = await environments.getEnvironment(environmentId);
      await db
        .updateTable('dashboard_sessions')
        .set({ environment_id: environment.id })
        .where('token_hash', '=', sha256(token))
        .execute();
      return { ...current, environment };
    },

    async signOut(token) {
      await db.deleteFrom('dashboard_sessions').where('token_hash', '=', sha256(token)).execute();
    },

    async deleteExpired() {
      const result = await db
        .deleteFrom('dashboard_sessions')
        .where('expires_at', '<=', clock.now())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/**
 * Connect sessions: a short-lived bearer token (`pb_cst_` + 32 random bytes, base64url) that lets
 * one end user connect accounts in one environment. Only its SHA-256 is stored, so a database
 * read does not reveal a usable token; the token itself is returned once, at creation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { ConnectionsService } from '../connections/types.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import { isForeignKeyViolation } from '../integrations/db-errors.ts';
import type { IntegrationsService } from '../integrations/index.ts';
import type { ConnectSessionsTable, Store } from '../store/index.ts';
import type {
  ConnectSession,
  ConnectSessionGate,
  ConnectSessionsService,
  CreateConnectSessionInput,
  LockedIntegration,
} from './types.ts';

export const CONNECT_TOKEN_PREFIX = 'pb_cst_';
export const DEFAULT_SESSION_TTL_SECONDS = 1800;
export const MAX_SESSION_TTL_SECONDS = 86_400;

const TOKEN_SHAPE = /^pb_cst_[A-Za-z0-9_-]{43}$/;

export interface ConnectSessionsServiceOptions {
  store: Pick<Store, 'db'>;
  integrations: IntegrationsService;
  connections: Pick<ConnectionsService, 'get'>;
  clock: Clock;
  /** Lifetime of a session whose creator asks for none (PATCHBAY_CONNECT_SESSION_TTL_SECONDS). Default 1800. */
  defaultTtlSeconds?: number;
  ids?: IdFactory;
  /** Random bytes for tokens; default node:crypto randomBytes. */
  random?: (size: number) => Buffer;
  /** Narrows what a session offers to what the end user's plan allows (the plans module). */
  gate?: ConnectSessionGate;
}

/** SHA-256 hex of a session token: what the database stores and looks up. */
export function hashConnectToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates the connect sessions service. */
export function createConnectSessionsService(options: ConnectSessionsServiceOptions): ConnectSessionsService {
  const { integrations, connections, clock } = options;
  const db = options.store.db;
  const ids = options.ids ?? newId;
  const random = options.random ?? randomBytes;

  function check(row: Selectable<ConnectSessionsTable> | undefined): ConnectSession {
    if (!row) {
      throw new PatchbayError(
        'connect_session_invalid',
        'This connect session is not valid; ask the app for a new connect link',
      );
    }
    if (row.expires_at <= clock.now()) {
      throw new PatchbayError(
        'connect_session_expired',
        'This connect session has expired; ask the app for a new connect link',
        { details: { sessionId: row.id } },
      );
    }
    return toSession(row);
  }

  /** The integrations a session may offer, as keys, each existing and enabled. */
  async function allowedKeys(environmentId: string, wanted: readonly string[]): Promise<string[]> {
    if (wanted.length === 0) {
      throw invalid('allowedIntegrations', 'list at least one integration, or leave it out to allow all');
    }
    const keys: string[] = [];
    for (const idOrKey of wanted) {
      const integration = await integrations.get(environmentId, idOrKey);
      if (!integration.enabled) {
        throw invalid('allowedIntegrations', `integration "${integration.key}" is disabled; enable it first`);
      }
      if (!keys.includes(integration.key)) keys.push(integration.key);
    }
    return keys;
  }

  return {
    async create(environmentId, input: CreateConnectSessionInput) {
      const endUserId = typeof input.endUser?.id === 'string' ? input.endUser.id.trim() : '';
      if (endUserId === '' || endUserId.length > 255)
        invalidThrow('endUser.id', 'must be 1 to 255 characters');
      const ttl = input.ttlSeconds ?? options.defaultTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_SESSION_TTL_SECONDS) {
        invalidThrow('ttlSeconds', `must be a whole number of seconds from 1 to ${MAX_SESSION_TTL_SECONDS}`);
      }
      const allowedOrigin = input.allowedOrigin == null ? null : checkOrigin(input.allowedOrigin);
      const purpose = input.purpose ?? 'connect';
      if (purpose !== 'connect' && purpose !== 'hub') invalidThrow('purpose', 'must be connect or hub');
      if (purpose === 'hub' && (input.allowedIntegrations != null || input.connectionId != null)) {
        invalidThrow('purpose', 'a hub session offers every enabled integration and reconnects none');
      }
      if (purpose === 'connect' && input.options != null) {
        invalidThrow('options', 'only a hub session has display options');
      }
      let allowed =
        input.allowedIntegrations == null
          ? null
          : await allowedKeys(environmentId, input.allowedIntegrations);

      const connectionId = input.connectionId ?? null;
      if (connectionId !== null) {
        const connection = await connections.get(environmentId, connectionId);
        if (connection.endUser.id !== endUserId) {
          invalidThrow(
            'connectionId',
            'belongs to another end user; a session reconnects only its own end user’s connections',
          );
        }
        if (allowed !== null && !allowed.includes(connection.integrationKey)) {
          invalidThrow(
            'allowedIntegrations',
            `must include "${connection.integrationKey}", the integration of the connection`,
          );
        }
        // A reconnect session offers exactly the connection's integration.
        allowed = await allowedKeys(environmentId, [connection.integrationId]);
      }

      let locked: LockedIntegration[] | null = null;
      if (options.gate && purpose === 'connect') {
        try {
          ({ allowed, locked } = await options.gate(environmentId, {
            endUser: { ...input.endUser, id: endUserId },
            allowed,
            connectionId,
          }));
        } catch (error) {
          if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
          throw error;
        }
      }

      const now = clock.now();
      const token = `${CONNECT_TOKEN_PREFIX}${random(32).toString('base64url')}`;
      const row: Selectable<ConnectSessionsTable> = {
        id: ids('connectSession', now),
        environment_id: environmentId,
        token_hash: hashConnectToken(token),
        end_user_id: endUserId,
        end_user_email: input.endUser.email ?? null,
        end_user_org: input.endUser.organization ?? null,
        allowed_integrations: allowed === null ? null : JSON.stringify(allowed),
        connection_id: connectionId,
        allowed_origin: allowedOrigin,
        purpose,
        options: input.options == null ? null : JSON.stringify(input.options),
        expires_at: now + ttl * 1000,
        created_at: now,
      };
      try {
        await db.insertInto('connect_sessions').values(row).execute();
      } catch (error) {
        if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
        throw error;
      }
      return { session: toSession(row), token, ...(locked === null ? {} : { locked }) };
    },

    async authenticate(token) {
      // Malformed tokens never reach the database (nor a log: the caller's error says nothing of it).
      if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return check(undefined);
      const row = await db
        .selectFrom('connect_sessions')
        .selectAll()
        .where('token_hash', '=', hashConnectToken(token))
        .executeTakeFirst();
      return check(row);
    },

    async get(environmentId, sessionId) {
      const row = await db
        .selectFrom('connect_sessions')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('id', '=', sessionId)
        .executeTakeFirst();
      return check(row);
    },
  };
}

/** `https://app.example.com` or `http://localhost:3000`: scheme, host and port only. */
function checkOrigin(value: string): string {
  let url: URL | null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  const origin = url?.origin;
  const ok =
    url !== null &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    [origin, `${origin}/`].includes(value.toLowerCase()) &&
    url.username === '' &&
    url.password === '';
  if (!ok || origin === undefined) {
    invalidThrow(
      'allowedOrigin',
      'must be an http(s) origin such as https://app.example.com, without a path',
    );
  }
  return origin!;
}

function invalid(path: string, message: string): PatchbayError {
  return new PatchbayError('validation_failed', `Invalid connect session: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}

function invalidThrow(path: string, message: string): never {
  throw invalid(path, message);
}

function toSession(row: Selectable<ConnectSessionsTable>): ConnectSession {
  return {
    id: row.id,
    environmentId: row.environment_id,
    endUser: { id: row.end_user_id, email: row.end_user_email, organization: row.end_user_org },
    allowedIntegrations:
      row.allowed_integrations === null ? null : (JSON.parse(row.allowed_integrations) as string[]),
    connectionId: row.connection_id,
    allowedOrigin: row.allowed_origin,
    purpose: row.purpose === 'hub' ? 'hub' : 'connect',
    options: row.options === null ? null : (JSON.parse(row.options) as Record<string, unknown>),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

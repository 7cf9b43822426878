/**
 * The endpoints service: where an environment's events are delivered, with their settings and
 * signing secrets. Secrets are vault envelopes bound to the endpoint row (purpose
 * `endpoint_secret`; `secret` and `previous_secret` share the binding, so a rotation moves the
 * current envelope to `previous_secret` without decrypting it). Only getSecret, rotateSecret and
 * target() return plaintext, for the host and for delivery.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { appendEvent } from '../events/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import { isForeignKeyViolation } from '../integrations/db-errors.ts';
import type { Database, EndpointsTable, Store } from '../store/index.ts';
import { marker, prepare } from '../store/prepared.ts';
import type { Vault } from '../vault/index.ts';
import { channelsMatch, eventTypeMatches } from './endpoints-match.ts';
import {
  checkChannels,
  checkConcurrency,
  checkDescription,
  checkEventTypes,
  checkGraceSeconds,
  checkHeaders,
  checkRateLimit,
  checkUrl,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_MAX_CONCURRENCY,
  IssueList,
} from './endpoints-validate.ts';
import { generateEndpointSecret, secretKey } from './signing.ts';
import type {
  AttemptSubject,
  CreateEndpointInput,
  DeliveryTarget,
  Endpoint,
  EndpointsService,
  UpdateEndpointInput,
} from './types.ts';

export interface EndpointsServiceOptions {
  store: Pick<Store, 'db'>;
  vault: Vault;
  clock: Clock;
  ids?: IdFactory;
  /** Makes new secrets; default generateEndpointSecret (32 random bytes). */
  generateSecret?: () => string;
}

type EndpointRow = Selectable<EndpointsTable>;

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

const SECRET_PURPOSE = 'endpoint_secret';
const HEADERS_PURPOSE = 'endpoint_headers';
/** The endpoint columns a delivery attempt reads (DeliveryTarget). */
const TARGET_COLUMNS = [
  'id',
  'url',
  'enabled',
  'headers',
  'rate_limit_per_second',
  'max_concurrency',
  'secret',
  'previous_secret',
  'previous_secret_expires_at',
] as const satisfies ReadonlyArray<keyof EndpointRow>;
type TargetRow = Pick<EndpointRow, (typeof TARGET_COLUMNS)[number]>;
/** The stored `headers` of an endpoint without custom headers: no envelope to decrypt. */
const NO_HEADERS = '';

/** Creates the endpoints service. */
export function createEndpointsService(options: EndpointsServiceOptions): EndpointsService {
  const { vault, clock } = options;
  const db = options.store.db;
  const ids = options.ids ?? newId;
  const generateSecret = options.generateSecret ?? (() => generateEndpointSecret());

  const seal = (id: string, secret: string): string =>
    vault.encrypt(secret, { table: 'endpoints', rowId: id, purpose: SECRET_PURPOSE });
  const unseal = (id: string, envelope: string): string =>
    vault.decrypt(envelope, { table: 'endpoints', rowId: id, purpose: SECRET_PURPOSE });
  // Custom headers often carry the receiver's own credentials (`Authorization: Bearer …`), so the
  // whole header map is encrypted like a secret. An endpoint without any stores '' (NO_HEADERS):
  // most have none, and every delivery attempt would otherwise decrypt an empty map.
  const sealHeaders = (id: string, headers: Record<string, string>): string =>
    Object.keys(headers).length === 0
      ? NO_HEADERS
      : vault.encrypt(JSON.stringify(headers), { table: 'endpoints', rowId: id, purpose: HEADERS_PURPOSE });
  const openHeaders = (row: Pick<EndpointRow, 'id' | 'headers'>): Record<string, string> =>
    row.headers === NO_HEADERS
      ? {}
      : (JSON.parse(
          vault.decrypt(row.headers, { table: 'endpoints', rowId: row.id, purpose: HEADERS_PURPOSE }),
        ) as Record<string, string>);
  const present = (row: EndpointRow): Endpoint => toEndpoint(row, openHeaders(row));

  // target() runs for every delivery attempt and matching() for every message created: their SQL
  // never changes, so Kysely compiles each once and every call binds its values (store/prepared.ts).
  const targetQuery = prepare(
    db
      .selectFrom('endpoints')
      .select(TARGET_COLUMNS)
      .where('environment_id', '=', marker('environment'))
      .where('id', '=', marker('endpoint'))
      .compile(),
  );
  // One read per delivery attempt: the message and its endpoint (left join: a deleted endpoint
  // reads as nulls), scoped to the environment on both sides.
  const attemptQuery = prepare(
    db
      .selectFrom('messages')
      .leftJoin('endpoints', (join) =>
        join
          .onRef('endpoints.id', '=', 'messages.endpoint_id')
          .onRef('endpoints.environment_id', '=', 'messages.environment_id'),
      )
      .select(TARGET_COLUMNS.map((column) => `endpoints.${column}` as const))
      .select([
        'messages.endpoint_id as message_endpoint_id',
        'messages.payload as message_payload',
        'messages.status as message_status',
        'messages.next_attempt_at as message_next_attempt_at',
      ])
      .where('messages.environment_id', '=', marker('environment'))
      .where('messages.id', '=', marker('message'))
      .compile(),
  );
  const matchingQuery = prepare(
    db
      .selectFrom('endpoints')
      .select(['id', 'environment_id', 'event_types', 'channels'])
      .where('environment_id', '=', marker('environment'))
      .where('enabled', '=', 1)
      .orderBy('id')
      .compile(),
  );

  /** An endpoint row with its signing secrets decrypted, for one attempt (never kept). */
  const targetOf = (row: TargetRow): DeliveryTarget => {
    const secrets = [unseal(row.id, row.secret)];
    // The previous secret signs until its grace period ends, then it is simply ignored (and
    // overwritten by the next rotation).
    if (
      row.previous_secret !== null &&
      row.previous_secret_expires_at !== null &&
      Number(row.previous_secret_expires_at) > clock.now()
    ) {
      secrets.push(unseal(row.id, row.previous_secret));
    }
    // Only what an attempt uses: the filters, dates and description are not parsed per attempt.
    return {
      id: row.id,
      url: row.url,
      enabled: Number(row.enabled) === 1,
      headers: openHeaders(row),
      rateLimitPerSecond: row.rate_limit_per_second === null ? null : Number(row.rate_limit_per_second),
      maxConcurrency: Number(row.max_concurrency),
      secrets,
    };
  };

  async function findRow(
    executor: Kysely<Database>,
    environmentId: string,
    id: string,
  ): Promise<EndpointRow> {
    const row = await executor
      .selectFrom('endpoints')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Endpoint', id.slice(0, 100));
    return row;
  }

  /**
   * Enables or disables an endpoint, and reports a change of state with `endpoint.enabled` /
   * `endpoint.disabled` (reason `manual`) in the same transaction. Each is one conditional
   * UPDATE, atomic against delivery disabling the endpoint at the same moment (a 410, a failing
   * streak): only the request that changes the state reports it, and disabling an endpoint
   * delivery already disabled keeps delivery's reason.
   */
  async function setEnabled(trx: Kysely<Database>, environmentId: string, id: string, enabled: boolean) {
    const result = await trx
      .updateTable('endpoints')
      .set(
        enabled
          ? // A fresh start: the old failure streak would otherwise disable it again at once.
            { enabled: 1, disabled_reason: null, failing_since: null, failing_warned_at: null }
          : { enabled: 0, disabled_reason: 'manual' },
      )
      .where('environment_id', '=', environmentId)
      .where('id', '=', id)
      .where('enabled', '=', enabled ? 0 : 1)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return;
    const { url } = await findRow(trx, environmentId, id);
    const data = { endpointId: id, url };
    const deps = { clock, newId: ids };
    await appendEvent(
      trx,
      enabled
        ? { environmentId, type: 'endpoint.enabled', data }
        : { environmentId, type: 'endpoint.disabled', data: { ...data, reason: 'manual' } },
      deps,
    );
  }

  /** A secret given by the host, or a new one; `validation_failed` for a malformed one. */
  function secretFrom(given: string | undefined): string {
    if (given === undefined) return generateSecret();
    try {
      secretKey(given);
    } catch (error) {
      throw new PatchbayError(
        'validation_failed',
        'Invalid endpoint: secret: use "whsec_" followed by the base64 of 24 to 64 random bytes, or leave it out to have one generated',
        {
          details: { issues: [{ path: 'secret', message: 'not a whsec_ secret of 24 to 64 bytes' }] },
          cause: error,
        },
      );
    }
    return given;
  }

  return {
    async create(environmentId, input: CreateEndpointInput) {
      const issues = new IssueList();
      checkUrl(issues, input.url);
      const description = blankToNull(input.description);
      checkDescription(issues, description);
      const eventTypes = unique(input.eventTypes ?? null);
      checkEventTypes(issues, eventTypes);
      const channels = unique(input.channels ?? null);
      checkChannels(issues, channels);
      const headers = checkHeaders(issues, input.headers ?? {});
      const rateLimit = input.rateLimitPerSecond ?? null;
      checkRateLimit(issues, rateLimit);
      const maxConcurrency = input.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
      checkConcurrency(issues, maxConcurrency);
      issues.throwIfAny();
      const secret = secretFrom(input.secret);

      const now = clock.now();
      const id = ids('endpoint', now);
      const row: EndpointRow = {
        id,
        environment_id: environmentId,
        url: input.url,
        description,
        event_types: eventTypes === null ? null : JSON.stringify(eventTypes),
        channels: channels === null ? null : JSON.stringify(channels),
        headers: sealHeaders(id, headers),
        rate_limit_per_second: rateLimit,
        max_concurrency: maxConcurrency,
        secret: seal(id, secret),
        previous_secret: null,
        previous_secret_expires_at: null,
        enabled: 1,
        disabled_reason: null,
        failing_since: null,
        failing_warned_at: null,
        last_success_at: null,
        created_at: now,
        updated_at: now,
      };
      try {
        await db.insertInto('endpoints').values(row).execute();
      } catch (error) {
        if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
        throw error;
      }
      return { endpoint: present(row), secret };
    },

    async list(environmentId, filter = {}) {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_LIST_LIMIT), 1), MAX_LIST_LIMIT);
      const rows = await db
        .selectFrom('endpoints')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .$if(filter.after !== undefined, (query) => query.where('id', '>', filter.after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const data = rows.slice(0, limit).map(present);
      return { data, nextAfter: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
    },

    async get(environmentId, id) {
      return present(await findRow(db, environmentId, id));
    },

    async update(environmentId, id, patch: UpdateEndpointInput) {
      // Each field is checked on its own, so only the fields given are read and written: a
      // delivery that disables the endpoint meanwhile (410, failing) is never undone by a PATCH
      // that did not mention `enabled`.
      const issues = new IssueList();
      const changes: Updateable<EndpointsTable> = {};
      if (patch.url !== undefined) {
        checkUrl(issues, patch.url);
        changes.url = patch.url;
      }
      if (patch.description !== undefined) {
        const description = blankToNull(patch.description);
        checkDescription(issues, description);
        changes.description = description;
      }
      if (patch.eventTypes !== undefined) {
        const eventTypes = unique(patch.eventTypes);
        checkEventTypes(issues, eventTypes);
        changes.event_types = eventTypes === null ? null : JSON.stringify(eventTypes);
      }
      if (patch.channels !== undefined) {
        const channels = unique(patch.channels);
        checkChannels(issues, channels);
        changes.channels = channels === null ? null : JSON.stringify(channels);
      }
      if (patch.headers !== undefined) changes.headers = sealHeaders(id, checkHeaders(issues, patch.headers));
      if (patch.rateLimitPerSecond !== undefined) {
        checkRateLimit(issues, patch.rateLimitPerSecond);
        changes.rate_limit_per_second = patch.rateLimitPerSecond;
      }
      if (patch.maxConcurrency !== undefined) {
        checkConcurrency(issues, patch.maxConcurrency);
        changes.max_concurrency = patch.maxConcurrency;
      }
      issues.throwIfAny();
      changes.updated_at = clock.now();

      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('endpoints')
          .set(changes)
          .where('environment_id', '=', environmentId)
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw notFound('Endpoint', id.slice(0, 100));
        if (patch.enabled !== undefined) await setEnabled(trx, environmentId, id, patch.enabled);
        return present(await findRow(trx, environmentId, id));
      });
    },

    async delete(environmentId, id) {
      await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, environmentId, id);
        // Attempts reference messages, messages reference the endpoint: children first.
        await trx
          .deleteFrom('attempts')
          .where('environment_id', '=', environmentId)
          .where('endpoint_id', '=', row.id)
          .execute();
        await trx
          .deleteFrom('messages')
          .where('environment_id', '=', environmentId)
          .where('endpoint_id', '=', row.id)
          .execute();
        await trx
          .deleteFrom('endpoints')
          .where('environment_id', '=', environmentId)
          .where('id', '=', row.id)
          .execute();
      });
    },

    async getSecret(environmentId, id) {
      const row = await findRow(db, environmentId, id);
      return unseal(row.id, row.secret);
    },

    async rotateSecret(environmentId, id, rotation = {}) {
      const graceSeconds = rotation.graceSeconds ?? DEFAULT_GRACE_SECONDS;
      const issues = new IssueList();
      checkGraceSeconds(issues, graceSeconds);
      issues.throwIfAny();
      const secret = secretFrom(rotation.secret);
      const row = await findRow(db, environmentId, id);
      const now = clock.now();
      // Compare-and-set on the current envelope: of two rotations at once, the second would
      // otherwise make the first one's new secret "previous" without anyone having seen it sign.
      const result = await db
        .updateTable('endpoints')
        .set({
          secret: seal(row.id, secret),
          previous_secret: graceSeconds === 0 ? null : row.secret,
          previous_secret_expires_at: graceSeconds === 0 ? null : now + graceSeconds * 1000,
          updated_at: now,
        })
        .where('environment_id', '=', environmentId)
        .where('id', '=', row.id)
        .where('secret', '=', row.secret)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        throw new PatchbayError(
          'conflict',
          `The secret of endpoint ${row.id} was rotated by another request at the same time; read it with GET /v1/endpoints/${row.id}/secret, or rotate again`,
          { details: { id: row.id } },
        );
      }
      return secret;
    },

    async target(environmentId, id): Promise<DeliveryTarget> {
      const [row] = (await db.executeQuery(targetQuery({ environment: environmentId, endpoint: id }))).rows;
      if (!row) throw notFound('Endpoint', id.slice(0, 100));
      return targetOf(row);
    },

    async attemptOf(environmentId, messageId): Promise<AttemptSubject | null> {
      const [row] = (await db.executeQuery(attemptQuery({ environment: environmentId, message: messageId })))
        .rows;
      if (!row) return null;
      const { message_endpoint_id, message_payload, message_status, message_next_attempt_at, ...endpoint } =
        row;
      return {
        endpointId: message_endpoint_id,
        payload: message_payload,
        status: message_status,
        nextAttemptAt: message_next_attempt_at === null ? null : Number(message_next_attempt_at),
        // The left join leaves every endpoint column null when the endpoint is gone.
        target: () => (endpoint.id === null ? null : targetOf(endpoint as TargetRow)),
      };
    },

    async matching(environmentId, eventType, channels) {
      const { rows } = await db.executeQuery(matchingQuery({ environment: environmentId }));
      return rows
        .map((row) => ({
          id: row.id,
          environmentId: row.environment_id,
          eventTypes: parseList(row.event_types),
          channels: parseList(row.channels),
        }))
        .filter(
          (endpoint) =>
            eventTypeMatches(endpoint.eventTypes, eventType) && channelsMatch(endpoint.channels, channels),
        );
    },
  };
}

/** An endpoint row as the engine shows it: never a secret. */
export function toEndpoint(row: EndpointRow, headers: Record<string, string>): Endpoint {
  return {
    id: row.id,
    environmentId: row.environment_id,
    url: row.url,
    description: row.description,
    eventTypes: parseList(row.event_types),
    channels: parseList(row.channels),
    headers,
    rateLimitPerSecond: row.rate_limit_per_second === null ? null : Number(row.rate_limit_per_second),
    maxConcurrency: Number(row.max_concurrency),
    enabled: Number(row.enabled) === 1,
    disabledReason: (row.disabled_reason as Endpoint['disabledReason']) ?? null,
    failingSince: numberOrNull(row.failing_since),
    lastSuccessAt: numberOrNull(row.last_success_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function numberOrNull(value: number | null): number | null {
  return value === null ? null : Number(value);
}

function parseList(json: string | null): string[] | null {
  return json === null ? null : (JSON.parse(json) as string[]);
}

/** Duplicates removed, order kept; null stays null. */
function unique(values: readonly string[] | null): string[] | null {
  return values === null ? null : [...new Set(values)];
}

function blankToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../../clock/index.ts';
import type { AuthenticatedKey } from '../../environments/index.ts';
import { ERROR_STATUS, type ErrorCode } from '../../errors/index.ts';
import { type IdKind, parseId } from '../../ids/index.ts';
import {
  type BodyOf,
  errorBodySchema,
  idKindOf,
  type Operation,
  type ParamsOf,
  type QueryOf,
  type ResponseOf,
} from '../contract/index.ts';
import { authOf } from './request-auth.ts';

/** What a handler gets: validated input, the caller's key, and the raw request for the rare need. */
export interface HandlerContext<O extends Operation> {
  params: ParamsOf<O>;
  query: QueryOf<O>;
  body: BodyOf<O>;
  /** The authenticated key and its environment; every data query must be scoped to it. */
  auth: O['auth'] extends 'apiKey' ? AuthenticatedKey : null;
  request: FastifyRequest;
  reply: FastifyReply;
  log: FastifyBaseLogger;
  /** The injected clock: use it, not Date.now(), for anything a test must control. */
  clock: Clock;
}

/** Implements one operation: returns the success body (the status comes from the contract). */
export type OperationHandler<O extends Operation> = (
  context: HandlerContext<O>,
) => ResponseOf<O> | Promise<ResponseOf<O>>;

/** An operation bound to its handler. */
export interface RouteDefinition {
  readonly operation: Operation;
  handle(context: HandlerContext<Operation>): unknown;
}

/** Binds a contract operation to its handler; the handler's types come from the operation. */
export function route<const O extends Operation>(
  operation: O,
  handler: OperationHandler<O>,
): RouteDefinition {
  return { operation, handle: handler as unknown as RouteDefinition['handle'] };
}

/**
 * A resource's routes: one module per resource, registered by buildApi without changes to the
 * core. `register` is for the rare route outside the contract (raw-body webhook intake, static
 * files); such routes need an API key unless their route config says `auth: 'none'`.
 */
export interface RouteModule {
  readonly name: string;
  readonly routes?: readonly RouteDefinition[];
  register?(app: FastifyInstance): void | Promise<void>;
  /**
   * OpenAPI path items of the routes `register` adds without an operation (they are described
   * by hand because they stream raw bodies), merged into `/openapi.json`.
   */
  readonly openApiPaths?: () => Record<string, unknown>;
}

/** Registers one operation: schemas for validation, serialization and OpenAPI, then its handler. */
export function registerOperation(app: FastifyInstance, definition: RouteDefinition, clock: Clock): void {
  const operation = definition.operation;
  const idParams: Array<[string, IdKind]> = [];
  for (const [name, schema] of Object.entries(operation.params?.shape ?? {})) {
    const kind = idKindOf(schema);
    if (kind) idParams.push([name, kind]);
  }
  app.withTypeProvider<ZodTypeProvider>().route({
    method: operation.method,
    url: operation.path,
    schema: {
      operationId: operation.id,
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      tags: [operation.tag],
      security:
        operation.auth === 'apiKey'
          ? [{ bearerAuth: [] }]
          : operation.auth === 'connectSession'
            ? [{ connectSession: [] }]
            : operation.auth === 'dashboardSession'
              ? [{ dashboardSession: [] }]
              : [],
      ...(operation.params ? { params: operation.params } : {}),
      ...(operation.query ? { querystring: operation.query } : {}),
      ...(operation.body ? { body: operation.body } : {}),
      response: {
        [operation.status]: operation.response,
        ...(operation.alternateStatus ? { [operation.alternateStatus]: operation.response } : {}),
        ...errorResponses(operation, idParams.length > 0),
      },
    },
    config: { auth: operation.auth },
    async handler(request, reply) {
      const params = (request.params ?? {}) as Record<string, string>;
      for (const [name, kind] of idParams) parseId(kind, params[name] ?? '');
      const result = await definition.handle({
        params,
        query: request.query,
        body: request.body,
        auth: authOf(request),
        request,
        reply,
        log: request.log,
        clock,
      } as HandlerContext<Operation>);
      if (operation.alternateStatus === undefined || reply.statusCode !== operation.alternateStatus) {
        reply.code(operation.status);
      }
      return operation.status === 204 ? reply.send() : result;
    },
  });
}

// Errors any operation of a kind can answer, whatever its handler does.
const AUTH_ERRORS: readonly ErrorCode[] = [
  'unauthorized',
  'invalid_api_key',
  'csrf_token_invalid',
  'rate_limited',
];
const BODY_ERRORS: readonly ErrorCode[] = [
  'validation_failed',
  'invalid_json',
  'json_too_deep',
  'unsupported_media_type',
  'payload_too_large',
];

const DASHBOARD_AUTH_ERRORS: readonly ErrorCode[] = ['unauthorized', 'csrf_token_invalid', 'rate_limited'];

/** Error answers of an operation, grouped by status, each listing its codes (for OpenAPI). */
function errorResponses(operation: Operation, hasIdParams: boolean) {
  const codes = new Set<ErrorCode>(operation.errors);
  if (operation.auth === 'apiKey') for (const code of AUTH_ERRORS) codes.add(code);
  if (operation.auth === 'dashboardSession') for (const code of DASHBOARD_AUTH_ERRORS) codes.add(code);
  if (operation.body) for (const code of BODY_ERRORS) codes.add(code);
  if (operation.query) codes.add('validation_failed');
  if (hasIdParams) codes.add('invalid_id');
  codes.add('internal_error');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: `Error: ${list.map((code) => `\`${code}\``).join(', ')}`,
        content: { 'application/json': { schema: errorBodySchema } },
      },
    ]),
  );
}

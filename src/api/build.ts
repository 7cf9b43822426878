import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Clock } from '../clock/index.ts';
import type { PatchbayConfig } from '../config/index.ts';
import type { ConnectSessionsService } from '../connect/types.ts';
import type { EnvironmentsService } from '../environments/index.ts';
import { newId } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import type { OperatorsService } from '../operators/index.ts';
import type { QueueDepth } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import { jsonTextTooDeep, jsonTooDeep } from '../values/json-depth.ts';
import { createAuthHook } from './core/auth.ts';
import { createClientErrorHandler, refuseAmbiguousHost } from './core/client-errors.ts';
import { errorBody, toErrorResponse } from './core/errors.ts';
import { httpMetrics } from './core/metrics.ts';
import { registerOpenApi } from './core/openapi.ts';
import { createMemoryRateLimiter } from './core/rate-limit.ts';
import { type ReadinessCheck, storeReadinessChecks } from './core/readiness.ts';
import { authOf } from './core/request-auth.ts';
import { type RouteModule, registerOperation } from './core/routes.ts';
import { dashboardStaticRoutes } from './dashboard/static.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { environmentRoutes } from './routes/environment.ts';
import { systemRoutes } from './routes/system.ts';

/** Everything the HTTP API needs, injected. */
export interface ApiDeps {
  config: Pick<PatchbayConfig, 'bodyLimit' | 'apiRateLimit'>;
  /** For /ready: the database answers and no migration is pending. */
  store: Pick<Store, 'ping' | 'pendingMigrations'>;
  logger: Logger;
  /** Where HTTP metrics are registered and what /metrics exposes (see createMetricsRegistry). */
  metrics: Registry;
  environments: EnvironmentsService;
  /** Given to every handler as `context.clock`. */
  clock: Clock;
  /**
   * Per-API-key limiter. Default: in-memory, `config.apiRateLimit` requests per minute. Pass a
   * shared one (RateLimiterRedis, RateLimiterPostgres…) when several API processes run.
   */
  rateLimiter?: RateLimiterAbstract;
  /** Checks /ready runs after the store's (queue, vault…). */
  readinessChecks?: readonly ReadinessCheck[];
  /** Route modules of further resources, registered after the built-in ones. */
  routes?: readonly RouteModule[];
  /** Authenticates connect session tokens (`pb_cst_…`) on routes declared `auth: 'connectSession'`. */
  connectSessions?: Pick<ConnectSessionsService, 'authenticate'>;
  /** Dashboard sign-in and sessions; without it the dashboard's session routes are absent. */
  operators?: OperatorsService;
  /** The queue depth of an environment, for the dashboard's overview (GET /v1/dashboard/queue). */
  queueDepth?: (environmentId: string) => Promise<QueueDepth>;
  /** Where the operator dashboard's build is (default: dashboard/dist of this package). */
  dashboardDir?: string;
}

// A caller-supplied request id is echoed only when it is short and plain, so it cannot inject
// into logs or headers; anything else gets a fresh `req_…` id.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the HTTP API as a Fastify instance, not listening: call `inject()` in tests, `listen()`
 * to serve. Every route comes from a RouteModule; the core only adds what all routes share
 * (request ids, auth and rate limits, the error model, validation, metrics, request logs and
 * the OpenAPI document).
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Fastify's two lines per request are replaced by one structured line (logRequest).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: deps.config.bodyLimit,
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('request');
    },
    // Requests Node's parser refuses, and HTTP/1.1 ones without exactly one Host, are answered
    // in the API's error model too (see ./core/client-errors.ts).
    clientErrorHandler: createClientErrorHandler(deps.logger),
    http: { requireHostHeader: false },
    // Malformed URLs (bad percent-encoding) are answered in the API's error model too.
    frameworkErrors: (error, request, reply) => {
      (reply as unknown as FastifyReply)
        .code(400)
        .header('x-request-id', request.id)
        .send(errorBody('invalid_request', error.message, request.id));
    },
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  configureBodyParsing(app);

  const errorCodes = new WeakMap<FastifyRequest, string>();
  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error, request.id);
    if (response.unexpected) request.log.error({ err: error }, 'request failed');
    errorCodes.set(request, response.body.error.code);
    return reply.code(response.status).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!.slice(0, 200);
    errorCodes.set(request, 'route_not_found');
    return reply
      .code(404)
      .send(
        errorBody('route_not_found', `No route ${request.method} ${path}; see /openapi.json`, request.id),
      );
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onRequest', refuseAmbiguousHost);
  // Parses cookies in its own onRequest hook, registered before the auth hook that reads them.
  await app.register(cookie);
  app.addHook(
    'onRequest',
    createAuthHook({
      environments: deps.environments,
      limiter: deps.rateLimiter ?? createMemoryRateLimiter(deps.config.apiRateLimit),
      connectSessions: deps.connectSessions,
      operators: deps.operators,
    }),
  );
  const metrics = httpMetrics(deps.metrics);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    metrics.observe({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    logRequest(request, reply, route, errorCodes.get(request));
  });

  const modules: RouteModule[] = [
    systemRoutes({
      checks: [...storeReadinessChecks(deps.store), ...(deps.readinessChecks ?? [])],
      metrics: deps.metrics,
    }),
    environmentRoutes(),
    apiKeyRoutes(deps.environments),
    ...(deps.operators
      ? [
          dashboardRoutes({
            operators: deps.operators,
            environments: deps.environments,
            queueDepth: deps.queueDepth,
          }),
        ]
      : []),
    dashboardStaticRoutes(deps.dashboardDir),
    ...(deps.routes ?? []),
  ];
  await registerOpenApi(app, Object.assign({}, ...modules.map((module) => module.openApiPaths?.() ?? {})));
  for (const module of modules) {
    for (const definition of module.routes ?? []) registerOperation(app, definition, deps.clock);
    const register = module.register;
    if (register) await app.register(async (scope) => register(scope));
  }
  return app;
}

/**
 * JSON is the only body the API reads. An empty JSON body counts as no body (clients often send
 * the header on a bodiless POST); anything that is not JSON is refused with 415. A body nesting
 * deeper than MAX_JSON_DEPTH is refused `json_too_deep` from its text, before it is parsed,
 * validated or serialized by anything that recurses.
 */
function configureBodyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (jsonTextTooDeep(text)) {
      done(jsonTooDeep('The request body'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/** One structured line per request, after it is answered. */
function logRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  route: string,
  errorCode: string | undefined,
): void {
  const auth = authOf(request);
  const level = reply.statusCode >= 500 ? 'warn' : 'info';
  request.log[level](
    {
      method: request.method,
      url: request.url,
      route,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(auth ? { environmentId: auth.environment.id, keyId: auth.keyId } : {}),
      ...(errorCode ? { errorCode } : {}),
    },
    'request completed',
  );
}

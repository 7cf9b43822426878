/**
 * The HTTP API: buildApi() assembles a Fastify instance from route modules; each resource's
 * operations are declared once in ./contract (shared with the SDK) and implemented in a route
 * module with route().
 */
export { type ApiDeps, buildApi } from './build.ts';
export * from './contract/index.ts';
export { errorBody, toErrorResponse } from './core/errors.ts';
export { createMetricsRegistry, type HttpMetrics, httpMetrics } from './core/metrics.ts';
export { API_VERSION } from './core/openapi.ts';
export { applyRateLimit, createMemoryRateLimiter } from './core/rate-limit.ts';
export {
  type ReadinessCheck,
  type ReadinessProblem,
  type ReadinessReport,
  runReadiness,
  storeReadinessChecks,
} from './core/readiness.ts';
export { authOf, requireAuth } from './core/request-auth.ts';
export {
  type HandlerContext,
  type OperationHandler,
  type RouteDefinition,
  type RouteModule,
  route,
} from './core/routes.ts';

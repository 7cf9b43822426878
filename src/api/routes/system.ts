import type { Registry } from 'prom-client';
import { PatchbayError } from '../../errors/index.ts';
import { contract } from '../contract/index.ts';
import { API_VERSION } from '../core/openapi.ts';
import { type ReadinessCheck, runReadiness } from '../core/readiness.ts';
import { type RouteModule, route } from '../core/routes.ts';

export interface SystemRoutesOptions {
  checks: readonly ReadinessCheck[];
  metrics: Registry;
}

/**
 * Operational endpoints, all public: liveness, readiness, Prometheus metrics and the OpenAPI
 * document. None of them returns data of any environment.
 */
export function systemRoutes(options: SystemRoutesOptions): RouteModule {
  return {
    name: 'system',
    routes: [
      route(contract.system.health, () => ({ status: 'ok' as const, version: API_VERSION })),
      route(contract.system.ready, async () => {
        const report = await runReadiness(options.checks);
        if (!report.ready) {
          const failed = report.checks.filter((c) => c.status === 'failed');
          throw new PatchbayError(
            'not_ready',
            `Not ready: ${failed.map((c) => `${c.name}: ${c.message}`).join('; ')}`,
            { details: { checks: report.checks } },
          );
        }
        return { status: 'ready' as const, checks: report.checks.map((c) => c.name) };
      }),
    ],
    register(app) {
      app.get('/metrics', { schema: { hide: true }, config: { auth: 'none' } }, async (_request, reply) => {
        reply.type(options.metrics.contentType);
        return options.metrics.metrics();
      });
      app.get('/openapi.json', { schema: { hide: true }, config: { auth: 'none' } }, () => app.swagger());
    },
  };
}

/**
 * Fastify answers HEAD on every GET route by running the GET handler. A handler that writes
 * outside the reply cycle (a stream) would leave HEAD without an answer, so this walks the whole
 * route table of a running engine and checks that HEAD answers each GET path like GET does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { type LibraryEngine, startLibraryEngine } from '../../test/support/library-engine.ts';
import { createMetricsRegistry, type RouteModule } from '../api/index.ts';
import { apiKeyRoutes } from '../api/routes/api-keys.ts';
import { environmentRoutes } from '../api/routes/environment.ts';
import { systemRoutes } from '../api/routes/system.ts';

/** Every GET path the modules declare: contract operations, and routes their `register` adds. */
async function getPaths(modules: readonly RouteModule[]): Promise<string[]> {
  const paths = new Set<string>();
  const scratch = Fastify();
  scratch.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('GET')) paths.add(route.url);
  });
  for (const module of modules) {
    for (const definition of module.routes ?? []) {
      if (definition.operation.method === 'GET') paths.add(definition.operation.path);
    }
    const register = module.register;
    if (register) await scratch.register(async (scope) => register(scope));
  }
  await scratch.ready();
  await scratch.close();
  return [...paths].sort();
}

/** A concrete URL for a route path: any value serves, HEAD just has to answer as GET does. */
function concrete(path: string): string {
  return path.replaceAll(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'x');
}

describe('HEAD on every GET route of the engine', () => {
  let world: LibraryEngine;
  before(async () => {
    world = await startLibraryEngine();
  });
  after(() => world?.stop());

  it('answers like GET, at once and without a body', { timeout: 120_000 }, async () => {
    const { services } = world.engine;
    const modules: RouteModule[] = [
      systemRoutes({ checks: [], metrics: createMetricsRegistry() }),
      environmentRoutes(),
      apiKeyRoutes(services.environments),
      ...services.providers.routes(),
      ...services.outbound.routes(),
      ...services.inbound.routes(),
      ...services.syncs.routes(),
    ];
    const paths = await getPaths(modules);
    console.log(`# ${paths.length} GET paths: ${paths.join(' ')}`);
    assert.ok(paths.includes('/v1/events/stream'), `the walk found the stream: ${paths.join(' ')}`);
    assert.ok(paths.length > 20, paths.join(' '));
    const headers = { authorization: `Bearer ${world.apiKey}` };
    for (const path of paths) {
      assert.ok(world.engine.api?.hasRoute({ method: 'GET', url: path }), `the engine serves GET ${path}`);
      const url = `${world.baseUrl}${concrete(path)}`;
      // The bound only turns a hang into a failure; no answer is expected to come near it.
      const get = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      await get.body?.cancel();
      const head = await fetch(url, {
        method: 'HEAD',
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      }).catch((error: unknown) => assert.fail(`HEAD ${path} did not answer: ${String(error)}`));
      assert.equal(head.status, get.status, `HEAD ${path}`);
      assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), `HEAD ${path}`);
      assert.equal(await head.text(), '', `HEAD ${path} has no body`);
    }
  });
});

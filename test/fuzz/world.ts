/**
 * The engine the fuzzer talks to, built in this process on a test database (role `api`: it serves
 * requests and runs no jobs, so nothing is delivered, synced or processed behind the fuzzer's
 * back), with its seeded rows and the pools of values requests pick from.
 *
 * Which rows a request may touch (the rule that keeps "data stored before is unchanged"
 * checkable): each environment, dev and prod, holds a protected set seeded before the run. A
 * protected row's id is sent to reading operations (GET, HEAD) with any credential, and to
 * changing ones only with a credential that must not reach it: the other environment's key, a
 * connect session token, no key or junk. The fuzzer's own rows are a target set in dev (seeded,
 * and replaced by a fresh one when a request deletes part of it) plus whatever its requests
 * create. All outbound calls are refused: every host name resolves to 127.0.0.1, which the SSRF
 * guard refuses in this configuration, so no request leaves the machine or waits on a provider.
 */
import type { FastifyInstance } from 'fastify';
import { createPatchbay, type Patchbay } from '../../src/engine/index.ts';
import { createLogger } from '../../src/logger/index.ts';
import { generateKeyString } from '../../src/vault/index.ts';
import type { TestDatabase } from '../support/databases.ts';
import type { OpenApiDocument } from './openapi-operations.ts';
import { Pools } from './pools.ts';
import { type SeedSet, seedProviders, seedSet, snapshot } from './seed.ts';

/** Fuzzed requests are never rate limited: a 429 would hide what the request would have reached. */
const UNLIMITED = 1_000_000_000;
const FUZZ_PROVIDERS = new URL('./fixtures/providers/', import.meta.url).pathname;
/** The latest error lines, kept for failure reports (the engine logs an unexpected error with its stack). */
const MAX_ERROR_LINES = 200;

export interface World {
  readonly engine: Patchbay;
  readonly app: FastifyInstance;
  readonly document: OpenApiDocument;
  readonly bodyLimit: number;
  readonly pools: Pools;
  /** Secrets of the fuzzer's own keys, and of the connect session it uses. */
  readonly secrets: { dev: string; prod: string; session: string };
  readonly protectedSets: { dev: SeedSet; prod: SeedSet };
  /** The target set the signed webhooks and most target picks use now. */
  target: SeedSet;
  /** Error log lines of the engine that mention `requestId`. */
  errorsFor(requestId: string): string[];
  /** Replaces the target set with a fresh one (after a request deleted part of it). */
  reseedTarget(): Promise<void>;
  /** Snapshots of both protected sets. */
  snapshotProtected(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Builds the engine on `database`, seeds it and fills the pools. */
export async function createWorld(database: TestDatabase): Promise<World> {
  const errorLines: string[] = [];
  const engine = await createPatchbay({
    env: {},
    config: {
      dataDir: database.dataDir,
      databaseUrl: database.databaseUrl,
      encryptionKeys: generateKeyString(),
      port: 0,
      role: 'api',
      apiRateLimit: UNLIMITED,
      providerDirs: FUZZ_PROVIDERS,
    },
    logger: createLogger({
      level: 'error',
      destination: {
        write(line: string) {
          errorLines.push(line);
          if (errorLines.length > MAX_ERROR_LINES) errorLines.shift();
        },
      },
    }),
    // No DNS query leaves the machine; 127.0.0.1 is refused by the SSRF guard (no loopback allowed).
    lookup: async () => [{ address: '127.0.0.1', family: 4 }],
  });
  const app = engine.api!;
  const environments = engine.services.environments;
  const dev = await environments.getEnvironmentByName('dev');
  const prod = await environments.getEnvironmentByName('prod');
  const devKey = await environments.createKey(dev.id, { name: 'fuzzer' });
  const prodKey = await environments.createKey(prod.id, { name: 'fuzzer' });
  const document = JSON.parse(
    (await app.inject({ method: 'GET', url: '/openapi.json' })).body,
  ) as OpenApiDocument;

  const protectedSets = {
    dev: await seedSet(engine, dev.id, devKey.secret, 'protdev'),
    prod: await seedSet(engine, prod.id, prodKey.secret, 'protprod'),
  };
  const pools = new Pools();
  pools.addSet('protected-dev', protectedSets.dev);
  pools.addSet('protected-prod', protectedSets.prod);
  pools.add('target:environment', dev.id);
  pools.add('protected-dev:environment', dev.id);
  pools.add('protected-prod:environment', prod.id);

  let generation = 0;
  const seedTarget = async () => {
    generation += 1;
    // Plans are environment-wide: one the fuzzer made (a default allowing no action, say) would
    // refuse the seeding's own calls. The target starts in an environment without plans.
    await clearPlans(engine, dev.id);
    const set = await seedSet(engine, dev.id, devKey.secret, `target${generation}`);
    pools.addSet('target', set);
    pools.replace('target:signedWebhookKey', set.hooksKey);
    return set;
  };
  const target = await seedTarget();
  const providers = await seedProviders(engine, dev.id, devKey.secret);
  for (const key of providers.keys) {
    pools.add('target:webhookKey', key);
    pools.add('target:integration', key);
  }
  for (const token of providers.tokens) pools.add('target:webhookToken', token);
  // After the target set, so that a pool's first value (what the edge cases use) is its row.
  pools.addNames();
  const session = await seedSession(app, devKey.secret);

  const world: World = {
    engine,
    app,
    document,
    bodyLimit: engine.config.bodyLimit,
    pools,
    secrets: { dev: devKey.secret, prod: prodKey.secret, session },
    protectedSets,
    target,
    errorsFor: (requestId) => errorLines.filter((line) => line.includes(requestId)),
    async reseedTarget() {
      pools.removeSet('target', world.target);
      world.target = await seedTarget();
    },
    async snapshotProtected() {
      return {
        dev: await snapshot(app, protectedSets.dev, devKey.secret),
        prod: await snapshot(app, protectedSets.prod, prodKey.secret),
      };
    },
    close: () => engine.stop(),
  };
  return world;
}

/** A connect session for the target integration, for the connect page's routes. */
async function seedSession(app: FastifyInstance, secret: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/connect/sessions',
    headers: { authorization: `Bearer ${secret}` },
    payload: { endUser: { id: 'fuzz-session-user' }, ttlSeconds: 86_400 },
  });
  if (response.statusCode !== 201) throw new Error(`seeding: connect session answered ${response.body}`);
  return (JSON.parse(response.body) as { token: string }).token;
}

/** Moves every end user of the environment off their plan and deletes its plans (the file's stay). */
async function clearPlans(engine: Patchbay, environmentId: string): Promise<void> {
  const { plans, entitlements } = engine.services.plans;
  await engine.store.db
    .updateTable('end_users')
    .set({ plan_key: null })
    .where('environment_id', '=', environmentId)
    .execute();
  entitlements.invalidate(environmentId);
  for (const plan of await plans.list(environmentId)) {
    if (plan.source !== 'file') await plans.delete(environmentId, plan.key, 'fuzz');
  }
}

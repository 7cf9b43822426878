/**
 * The fuzz run: fast-check generates requests for every operation of the engine's own
 * /openapi.json and for the routes outside it, sends each, and checks every answer (check.ts).
 * A failure reports fast-check's seed and path (to replay it), the failing request, the answer
 * and what the engine logged for it. Used by the test (bounded) and by `npm run bench -- fuzz`.
 */
import fc from 'fast-check';
import { violations } from './check.ts';
import { deepEdgeCases } from './edge-cases.ts';
import { operationsOf, refResolver } from './openapi-operations.ts';
import { type FuzzOptions, operationRequests } from './operation-requests.ts';
import type { FuzzRequest } from './request.ts';
import { connectPageRequests, otherRequests, proxyRequests, webhookRequests } from './route-requests.ts';
import { describeRequest, type FuzzResponse, resolveRequest, type Sendable, send } from './send.ts';
import { FuzzStats } from './stats.ts';
import { fieldValues, kindOf } from './vocabulary.ts';
import type { World } from './world.ts';

/**
 * Operations left out: the event stream answers a never-ending SSE stream, which an in-process
 * request would wait on forever (its own tests cover it).
 */
const EXCLUDED_PATHS = new Set(['/v1/events/stream']);
/** A request not answered in this long is reported as hung (a liveness bound, not a speed goal). */
const NO_ANSWER_MS = 30_000;

export interface FuzzRunOptions {
  numRuns: number;
  /** Replays a run (with `path`, its counterexample) instead of a fresh random one. */
  seed?: number;
  path?: string;
  /** Whether hostile values include nesting thousands of levels deep. */
  deep?: boolean;
}

export interface FuzzOutcome {
  seed: number;
  stats: FuzzStats;
  /** The report of the (shrunk) failure, with how to replay it; null when every answer kept the promises. */
  failure: string | null;
}

function fuzzOptions(world: World, deep: boolean): FuzzOptions {
  return { bodyLimit: world.bodyLimit, deep, kindOf, fieldValues, resolve: refResolver(world.document) };
}

function fuzzedOperations(world: World) {
  return operationsOf(world.document).filter((operation) => !EXCLUDED_PATHS.has(operation.path));
}

/** The requests every run with deep nesting sends first (edge-cases.ts). */
export function edgeCases(world: World): FuzzRequest[] {
  const schemaOptions = {
    resolve: refResolver(world.document),
    hugeMax: world.bodyLimit - 1_024,
    deep: true,
  };
  return deepEdgeCases(fuzzedOperations(world), schemaOptions, kindOf);
}

/** Every request the fuzzer makes: each operation, and the routes outside the document. */
export function fuzzRequests(world: World, deep: boolean): fc.Arbitrary<FuzzRequest> {
  const options = fuzzOptions(world, deep);
  const operations = fuzzedOperations(world);
  const routeOptions = { bodyLimit: world.bodyLimit, deep };
  return fc.oneof(
    ...operations.map((operation) => ({ weight: 2, arbitrary: operationRequests(operation, options) })),
    { weight: 8, arbitrary: webhookRequests(routeOptions) },
    { weight: 8, arbitrary: proxyRequests(routeOptions) },
    { weight: 3, arbitrary: connectPageRequests },
    { weight: 2, arbitrary: otherRequests },
  );
}

/** Runs `numRuns` requests (plus shrinking steps after a failure) against `world`. */
export async function runFuzz(world: World, options: FuzzRunOptions): Promise<FuzzOutcome> {
  const deep = options.deep ?? true;
  const stats = new FuzzStats();
  const context = {
    app: world.app,
    pools: world.pools,
    secrets: world.secrets,
    webhookSecret: () => world.target.hooksSecret,
  };
  // Reports are written after the run: the engine's log line for a failure may come after its answer.
  const failures: { first?: Failure; last?: Failure } = {};
  let runs = 0;
  const property = fc.asyncProperty(fuzzRequests(world, deep), async (request) => {
    runs += 1;
    const sendable = resolveRequest(request, context);
    const response = await answerOf(sendable, world);
    stats.record(request, response);
    const found = violations(sendable.method, response);
    if (found.length > 0) {
      failures.last = { request, sendable, response, found, run: runs };
      failures.first ??= failures.last;
      throw new Error(found.join('; '));
    }
    await afterAnswer(world, request, sendable, response);
  });
  const examples = deep ? edgeCases(world) : [];
  const details = await fc.check(property, {
    numRuns: options.numRuns,
    examples: examples.map((request): [FuzzRequest] => [request]),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  stats.finish();
  if (!details.failed) return { seed: details.seed, stats, failure: null };
  const report = (failure: Failure | undefined) =>
    failure ? failureReport(failure, world) : String(details.errorInstance ?? 'no report');
  const failure = [
    `fast-check seed ${details.seed}, path ${details.counterexamplePath}, after ${details.numRuns} runs and ${details.numShrinks} shrinks.`,
    // The requests before a failure made the state it met: replaying the whole sequence (the same
    // seed, as many runs) reproduces it; the path alone replays only the failing request.
    `Replay the run: PATCHBAY_FUZZ_SEED=${details.seed} PATCHBAY_FUZZ_RUNS=${failures.first?.run ?? details.numRuns} npm test -- test/fuzz/api-fuzz.test.ts`,
    `Replay the failing request alone: PATCHBAY_FUZZ_SEED=${details.seed} PATCHBAY_FUZZ_PATH=${details.counterexamplePath} npm test -- test/fuzz/api-fuzz.test.ts`,
    `Smallest failing request:\n${report(failures.last)}`,
    ...(failures.first !== failures.last
      ? [`First failing request (before shrinking):\n${report(failures.first)}`]
      : []),
  ].join('\n\n');
  return { seed: details.seed, stats, failure };
}

async function answerOf(sendable: Sendable, world: World): Promise<FuzzResponse> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${NO_ANSWER_MS} ms`)), NO_ANSWER_MS);
  });
  try {
    return await Promise.race([send(sendable, world.app), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the pools current: rows the request created join them, a broken target set is replaced. */
async function afterAnswer(world: World, request: FuzzRequest, sendable: Sendable, response: FuzzResponse) {
  if (response.status >= 300) return;
  if (sendable.method === 'POST' && request.target !== 'proxy') {
    try {
      world.pools.learn(JSON.parse(response.body));
    } catch {
      // Not JSON (a webhook handshake, a page): nothing to learn.
    }
  }
  if (sendable.method === 'DELETE' && request.target !== 'proxy') {
    const target = world.target;
    const parts = [
      target.integrationId,
      target.integrationKey,
      target.hooksKey,
      target.hooksIntegrationId,
      target.endpointId,
      ...target.connectionIds,
    ];
    const path = sendable.url.split('?')[0]!;
    if (parts.some((part) => path.endsWith(`/${part}`))) await world.reseedTarget();
  }
}

interface Failure {
  request: FuzzRequest;
  sendable: Sendable;
  response: FuzzResponse;
  found: string[];
  /** Which request of the run it was (1-based, shrinking steps included). */
  run: number;
}

function failureReport({ request, sendable, response, found }: Failure, world: World): string {
  const body = response.body.length > 800 ? `${response.body.slice(0, 800)}…` : response.body;
  const logged = world.errorsFor(String(response.headers['x-request-id'] ?? ''));
  return [
    describeRequest(request, sendable),
    `answered ${response.status}: ${body}`,
    `broke: ${found.join('; ')}`,
    ...(logged.length > 0 ? [`engine log:\n${logged.map((line) => line.slice(0, 3_000)).join('\n')}`] : []),
  ].join('\n');
}

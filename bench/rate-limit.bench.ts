/**
 * Rate-limit benchmark: Gumroad's definition (120 requests per minute) against the OAuth sandbox
 * as Gumroad, 300 proxy calls sent at once through `/proxy/*` of a `patchbay start` process. The
 * sandbox does not enforce the limit: it accepts and timestamps every request, so its count is
 * exactly what the engine sent. Reports the most requests the provider saw in any 60-second
 * window (must be ≤ 120), whether all 300 calls completed with 200, and the completion time
 * against the theoretical minimum for 300 calls under that limit.
 */
import { Agent } from 'undici';
import { startOAuthSandbox } from '../sandbox/index.ts';
import { connectWithOAuth, type EngineProcess, expectApi, startEngineProcess } from './fixtures/engine.ts';
import { round } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const CALLS = 300;
const LIMIT = 120;
const WINDOW_MS = 60_000;
const CLIENT = { clientId: 'bench-gumroad-app', clientSecret: 'bench-gumroad-secret' };

const benchmark: Benchmark = {
  name: 'rate-limit',
  description: `${CALLS} proxy calls at once to a provider limited to ${LIMIT} requests per minute (Gumroad's definition)`,
  async run({ log }) {
    const sandbox = await startOAuthSandbox({
      // Gumroad's API lives under /v2 (the definition's proxy base URL keeps that path).
      paths: { api: '/v2/' },
      accessTokenTtlSeconds: null,
    });
    let engine: EngineProcess | undefined;
    // One socket per call, and no client-side timeout: the last calls wait their turn for minutes.
    const agent = new Agent({ connections: CALLS, headersTimeout: 0, bodyTimeout: 0 });
    try {
      engine = await startEngineProcess();
      sandbox.control.addClient({ ...CLIENT, redirectUris: [`${engine.url}/connect/oauth/callback`] });
      await expectApi(
        engine,
        engine.apiKey,
        'POST',
        '/v1/integrations',
        { provider: 'gumroad', ...CLIENT, settings: { baseUrls: { '*': sandbox.url } } },
        201,
      );
      const connectionId = await connectWithOAuth(engine, 'gumroad');
      sandbox.stats.reset();
      log(`connection ${connectionId}; sending ${CALLS} calls at once (about 2.5 minutes)…`);

      const started = performance.now();
      const progress = setInterval(
        () => log(`${sandbox.stats.api.accepted} of ${CALLS} received by the provider`),
        20_000,
      );
      const statuses = await Promise.all(
        Array.from({ length: CALLS }, async () => {
          try {
            const response = await agent.request({
              origin: engine!.url,
              path: '/proxy/me',
              method: 'GET',
              headers: { authorization: `Bearer ${engine!.apiKey}`, 'patchbay-connection-id': connectionId },
            });
            await response.body.dump();
            return response.statusCode;
          } catch {
            return 0;
          }
        }),
      ).finally(() => clearInterval(progress));
      const elapsedMs = performance.now() - started;

      const completed = statuses.filter((status) => status === 200).length;
      const tooMany = statuses.filter((status) => status === 429).length;
      const peak = sandbox.stats.maxInAnyWindow(WINDOW_MS);
      const times = sandbox.stats.acceptedApiRequests.map((request) => request.at).sort((a, b) => a - b);
      const gaps = times
        .slice(1)
        .map((at, i) => at - times[i]!)
        .sort((a, b) => a - b);
      const minGap = gaps.length > 0 ? round(gaps[0]!, 1) : null;
      const medianGap = gaps.length > 0 ? round(gaps[Math.floor(gaps.length / 2)]!, 1) : null;
      // The fastest schedule the limit allows: LIMIT at once, the next LIMIT one window later…
      const theoreticalMs = Math.ceil(CALLS / LIMIT - 1) * WINDOW_MS;
      // …and the evenly paced one, which never bursts: one request per WINDOW_MS / LIMIT.
      const evenlyPacedMs = ((CALLS - 1) * WINDOW_MS) / LIMIT;
      const met = peak <= LIMIT && completed === CALLS && sandbox.stats.api.accepted === CALLS;
      return {
        unit: `most requests the provider saw in any ${WINDOW_MS / 1000} s window`,
        value: peak,
        ceiling: LIMIT,
        goal: `never more than ${LIMIT} requests in any ${WINDOW_MS / 1000} s window at the provider, and all ${CALLS} calls complete with 200`,
        met,
        details: {
          calls: CALLS,
          completedWith200: completed,
          answered429: tooMany,
          otherStatuses: statuses.filter((status) => status !== 200 && status !== 429),
          providerReceived: sandbox.stats.api.total,
          providerAccepted: sandbox.stats.api.accepted,
          providerSent429: sandbox.stats.tooManyRequests,
          maxInAnyWindow: peak,
          limit: LIMIT,
          windowMs: WINDOW_MS,
          completionMs: round(elapsedMs),
          theoreticalMinimumMs: theoreticalMs,
          evenlyPacedMinimumMs: evenlyPacedMs,
          minGapMs: minGap,
          medianGapMs: medianGap,
        },
        table: [
          {
            figure: `max requests in any ${WINDOW_MS / 1000} s window`,
            measured: peak,
            reference: LIMIT,
            note: 'the limit',
          },
          {
            figure: 'calls completed with 200',
            measured: completed,
            reference: CALLS,
            note: `${tooMany} got 429`,
          },
          {
            figure: 'completion time, s',
            measured: round(elapsedMs / 1000, 1),
            reference: round(theoreticalMs / 1000, 1),
            note: `theoretical minimum (${LIMIT} per window, bursts); evenly paced at the limit: ${round(evenlyPacedMs / 1000, 1)} s`,
          },
          {
            figure: 'smallest gap between requests at the provider, ms',
            measured: minGap,
            reference: round(WINDOW_MS / LIMIT, 1),
            note: `median ${medianGap ?? '—'}; the reference is the limit's even spacing`,
          },
        ],
      };
    } finally {
      await agent.close();
      await engine?.stop();
      await sandbox.close();
    }
  },
};

export default benchmark;

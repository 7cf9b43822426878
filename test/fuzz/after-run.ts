/**
 * What must hold once a fuzz run is over: the engine answers /health and /ready, every row seeded
 * before the run reads back exactly as it did, the protected API keys still authenticate, and no
 * connection left the loopback interface.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LoopbackGuard } from '../support/loopback-only.ts';
import type { World } from './world.ts';

/** The broken promises, each in words; empty when the engine came through intact. */
export async function afterRunProblems(
  world: World,
  seeded: Record<string, unknown>,
  network: LoopbackGuard,
): Promise<string[]> {
  const problems: string[] = [];
  for (const url of ['/health', '/ready']) {
    const response = await world.app.inject({ method: 'GET', url });
    if (response.statusCode !== 200)
      problems.push(`${url} answered ${response.statusCode}: ${response.body}`);
  }
  const now = await world.snapshotProtected();
  for (const [environment, before] of Object.entries(seeded) as Array<[string, Record<string, unknown>]>) {
    const after = (now[environment] ?? {}) as Record<string, unknown>;
    for (const [what, value] of Object.entries(before)) {
      if (!isDeepStrictEqual(after[what], value)) {
        problems.push(
          `seeded data changed (${environment}) ${what}:\n  before ${cut(JSON.stringify(value))}\n  after  ${cut(JSON.stringify(after[what]))}`,
        );
      }
    }
  }
  for (const [environment, set] of Object.entries(world.protectedSets)) {
    const response = await world.app.inject({
      method: 'GET',
      url: '/v1/environment',
      headers: { authorization: `Bearer ${set.apiKeySecret}` },
    });
    if (response.statusCode !== 200)
      problems.push(`the protected ${environment} API key no longer authenticates`);
  }
  if (network.refused.length > 0)
    problems.push(`connections refused off loopback: ${network.refused.join(', ')}`);
  return problems;
}

function cut(text: string | undefined): string {
  const value = text ?? 'undefined';
  return value.length > 600 ? `${value.slice(0, 600)}…` : value;
}

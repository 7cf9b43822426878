import type { Store } from '../../store/index.ts';

/** One thing the process needs before it can serve traffic. */
export interface ReadinessCheck {
  name: string;
  /** Null when ready, else what is missing. */
  check(): Promise<ReadinessProblem | null>;
}

export interface ReadinessProblem {
  message: string;
  details?: unknown;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Array<{ name: string; status: 'ok' | 'failed' | 'skipped'; message?: string; details?: unknown }>;
}

/** The store's checks: the database answers, then no migration is pending. */
export function storeReadinessChecks(store: Pick<Store, 'ping' | 'pendingMigrations'>): ReadinessCheck[] {
  return [
    {
      name: 'database',
      async check() {
        try {
          await store.ping();
          return null;
        } catch {
          return { message: 'the database is not reachable' };
        }
      },
    },
    {
      name: 'migrations',
      async check() {
        const pending = await store.pendingMigrations();
        if (pending.length === 0) return null;
        return {
          message: `${pending.length} migration(s) pending: run \`patchbay migrate\``,
          details: { pending },
        };
      },
    },
  ];
}

/**
 * Runs checks in order and stops at the first failure, since later checks usually depend on
 * earlier ones (no migration can be read from an unreachable database); those are `skipped`.
 */
export async function runReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const report: ReadinessReport = { ready: true, checks: [] };
  for (const { name, check } of checks) {
    if (!report.ready) {
      report.checks.push({ name, status: 'skipped' });
      continue;
    }
    let problem: ReadinessProblem | null;
    try {
      problem = await check();
    } catch {
      // The endpoint is public: say which check failed, not the internals of why.
      problem = { message: `the ${name} check failed` };
    }
    if (problem) {
      report.ready = false;
      report.checks.push({ name, status: 'failed', ...problem });
    } else {
      report.checks.push({ name, status: 'ok' });
    }
  }
  return report;
}

/**
 * The syncs service: what the API, the CLI and library users call. It resolves a connection's
 * provider scripts, triggers runs through the scheduler (queued, at most one per connection and
 * sync), runs a sync in this process (the CLI's `sync run`), ingests uploaded reports as runs,
 * and reads schedules and the run log.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { Connection } from '../connections/types.ts';
import { ERROR_STATUS, type ErrorCode, PatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import type { SyncDefinition } from '../scripting/types.ts';
import type { Database, SyncRunMode } from '../store/index.ts';
import { type ImportFormat, type ImportProgress, type ImportReport, ingestReport } from './import/index.ts';
import type { ExecuteOptions, SyncRunner } from './runner.ts';
import type { ListRunsFilter, RunCounts, RunsRepository, SyncRun } from './runs.ts';
import { runMode, type SyncSchedule, type SyncScheduler, type TriggerResult } from './schedules.ts';

/** A sync of a connection's provider, with its schedule when it has one. */
export interface ConnectionSync {
  name: string;
  description: string;
  models: string[];
  defaultFrequency: string;
  trackDeletes: boolean;
  autoStart: boolean;
  /** File kinds the sync ingests, when it takes uploaded reports. */
  importFormats: string[] | null;
  schedule: SyncSchedule | null;
}

export interface ImportResult {
  run: SyncRun;
  report: ImportReport;
}

export interface SyncsService {
  list(environmentId: string, connectionId: string): Promise<ConnectionSync[]>;
  trigger(
    environmentId: string,
    connectionId: string,
    sync: string,
    options?: { mode?: SyncRunMode },
  ): Promise<TriggerResult>;
  update(
    environmentId: string,
    connectionId: string,
    sync: string,
    patch: { paused?: boolean; frequency?: string },
  ): Promise<SyncSchedule>;
  getRun(environmentId: string, runId: string): Promise<SyncRun>;
  listRuns(
    environmentId: string,
    filter: ListRunsFilter,
  ): Promise<{ data: SyncRun[]; nextAfter: string | null }>;
  /** Runs a sync now in this process (not through the queue), reporting progress; returns the closed run. */
  runNow(
    environmentId: string,
    connectionId: string,
    sync: string,
    options?: {
      mode?: SyncRunMode;
      signal?: AbortSignal;
      onProgress?: (totals: RunCounts) => void;
      onStart?: (runId: string) => void;
    },
  ): Promise<SyncRun>;
  /** Ingests an uploaded report as a run of an import sync. Fails with the file's error code when the file is unreadable. */
  importReport(
    environmentId: string,
    connectionId: string,
    sync: string,
    file: {
      stream: Readable;
      format: ImportFormat;
      signal?: AbortSignal;
      onProgress?: (progress: ImportProgress) => void;
    },
  ): Promise<ImportResult>;
}

export interface SyncsServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  runs: RunsRepository;
  scheduler: SyncScheduler;
  runner: SyncRunner;
  connection(environmentId: string, connectionId: string): Promise<Connection>;
  /** Syncs of a provider (empty when it has none). */
  syncsOf(provider: string): ReadonlyMap<string, SyncDefinition>;
  resolveSync(provider: string, name: string): SyncDefinition;
}

export function createSyncsService(deps: SyncsServiceDeps): SyncsService {
  const { db, clock, runs, scheduler, runner } = deps;

  async function resolve(environmentId: string, connectionId: string, name: string) {
    const connection = await deps.connection(environmentId, connectionId);
    return { connection, sync: deps.resolveSync(connection.provider, name) };
  }

  /** A run executed here rather than by a worker: its row exists, its job does not. */
  async function runHere(
    environmentId: string,
    connection: Connection,
    sync: SyncDefinition,
    trigger: 'manual' | 'import',
    mode: SyncRunMode,
    options: Omit<ExecuteOptions, 'attempt' | 'signal'> & {
      signal?: AbortSignal;
      onStart?: (runId: string) => void;
    },
  ): Promise<SyncRun> {
    await scheduler.ensure(environmentId, connection.id, sync);
    const runId = newId('syncRun', clock.now());
    await runs.create(db, {
      id: runId,
      environmentId,
      connectionId: connection.id,
      sync: sync.name,
      trigger,
      mode,
    });
    options.onStart?.(runId);
    const run = await runner.execute(runId, {
      attempt: 1,
      signal: options.signal ?? new AbortController().signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.body ? { body: options.body } : {}),
    });
    if (!run) throw new PatchbayError('internal_error', `Sync run ${runId} vanished while it ran`);
    return run;
  }

  return {
    async list(environmentId, connectionId) {
      const connection = await deps.connection(environmentId, connectionId);
      const schedules = new Map((await scheduler.list(environmentId, connectionId)).map((s) => [s.sync, s]));
      return [...deps.syncsOf(connection.provider).values()].map((sync) => ({
        name: sync.name,
        description: sync.description,
        models: Object.keys(sync.models),
        defaultFrequency: sync.frequency,
        trackDeletes: sync.trackDeletes === true,
        autoStart: sync.autoStart !== false && sync.exec !== undefined,
        importFormats: sync.import ? [...sync.import.formats] : null,
        schedule: schedules.get(sync.name) ?? null,
      }));
    },

    async trigger(environmentId, connectionId, name, options = {}) {
      const { connection, sync } = await resolve(environmentId, connectionId, name);
      if (!sync.exec) {
        throw new PatchbayError(
          'import_not_supported',
          `Sync "${name}" only ingests uploaded reports: upload one to POST /v1/connections/${connectionId}/syncs/${name}/import`,
        );
      }
      usable(connection);
      return scheduler.trigger(environmentId, connectionId, sync, {
        trigger: 'manual',
        ...(options.mode ? { mode: options.mode } : {}),
      });
    },

    async update(environmentId, connectionId, name, patch) {
      const { sync } = await resolve(environmentId, connectionId, name);
      return scheduler.update(environmentId, connectionId, sync, patch);
    },

    getRun: (environmentId, runId) => runs.get(environmentId, runId),
    listRuns: (environmentId, filter) => runs.list(environmentId, filter),

    async runNow(environmentId, connectionId, name, options = {}) {
      const { connection, sync } = await resolve(environmentId, connectionId, name);
      if (!sync.exec) {
        throw new PatchbayError(
          'import_not_supported',
          `Sync "${name}" only ingests uploaded reports; import a file instead`,
        );
      }
      usable(connection);
      const schedule = (await scheduler.list(environmentId, connectionId)).find((s) => s.sync === name);
      const mode = runMode(
        sync,
        options.mode,
        schedule?.lastSuccessAt ?? null,
        schedule?.checkpoint == null ? null : JSON.stringify(schedule.checkpoint),
      );
      return runHere(environmentId, connection, sync, 'manual', mode, options);
    },

    async importReport(environmentId, connectionId, name, file) {
      const { connection, sync } = await resolve(environmentId, connectionId, name);
      const spec = sync.import;
      if (!spec) {
        throw new PatchbayError(
          'import_not_supported',
          `Sync "${name}" of ${connection.provider} does not ingest uploaded reports`,
        );
      }
      if (!spec.formats.includes(file.format)) {
        throw new PatchbayError(
          'import_format_unsupported',
          `Sync "${name}" takes ${spec.formats.join(' or ')} files, not ${file.format}`,
          {
            details: { accepted: spec.formats },
          },
        );
      }
      let report: ImportReport | undefined;
      const run = await runHere(environmentId, connection, sync, 'import', 'incremental', {
        ...(file.signal ? { signal: file.signal } : {}),
        body: async (context) => {
          report = await ingestReport({
            spec,
            input: file.stream,
            format: file.format,
            sink: { save: (model, records) => context.records.save(model, records) },
            signal: context.signal,
            ...(file.onProgress ? { onProgress: file.onProgress } : {}),
          });
          return { import: report };
        },
      });
      if (run.status !== 'succeeded' || !report) {
        const error = run.error ?? { code: 'internal_error', message: 'the import failed' };
        // The file's own faults are the uploader's to fix: answer with their code (4xx).
        throw new PatchbayError(isErrorCode(error.code) ? error.code : 'internal_error', error.message, {
          details: { runId: run.id },
        });
      }
      return { run, report };
    },
  };
}

function usable(connection: Connection): void {
  if (connection.status === 'reauth_required' || connection.status === 'disconnected') {
    throw new PatchbayError(
      'connection_reauth_required',
      `Connection ${connection.id} needs to be reconnected by its end user before it can sync`,
      { details: { connectionId: connection.id, status: connection.status } },
    );
  }
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

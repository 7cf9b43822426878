/**
 * `action_runs` rows: conversion to ActionRun and the request hash that idempotency keys compare.
 */
import { createHash } from 'node:crypto';
import type { ActionRunsTable } from '../store/index.ts';
import type { ActionMode, ActionRun, ActionRunError } from './types.ts';

/**
 * Hash of the action name and the host's input (before mapping), with object keys sorted so a
 * retry that serializes the same input in another key order is still the same request.
 */
export function requestHash(actionName: string, input: unknown): string {
  return createHash('sha256').update(actionName).update('\n').update(canonicalJson(input)).digest('hex');
}

/** JSON with object keys sorted at every depth; `undefined` members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** JSON text of a value for a column; null for `undefined` (an action without output). */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : (JSON.stringify(value) ?? null);
}

/** A stored run as the service returns it. */
export function toActionRun(row: ActionRunsTable): ActionRun {
  return {
    id: row.id,
    environmentId: row.environment_id,
    connectionId: row.connection_id,
    action: row.action_name,
    mode: row.mode as ActionMode,
    status: row.status,
    input: JSON.parse(row.input) as unknown,
    output: row.output === null ? null : (JSON.parse(row.output) as unknown),
    error: errorOf(row),
    idempotencyKey: row.idempotency_key,
    attempt: Number(row.attempt),
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    progress:
      row.progress_done === null || row.progress_done === undefined
        ? null
        : {
            done: Number(row.progress_done),
            total: row.progress_total === null ? null : Number(row.progress_total),
            updatedAt: Number(row.progress_updated_at),
          },
  };
}

function errorOf(row: ActionRunsTable): ActionRunError | null {
  if (row.error_code === null) return null;
  const error: ActionRunError = { code: row.error_code, message: row.error_message ?? '' };
  if (row.error_details !== null) error.details = JSON.parse(row.error_details) as unknown;
  return error;
}

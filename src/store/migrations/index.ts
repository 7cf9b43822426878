import type { Migration } from '../migration.ts';
import { foundation } from './0001_foundation.ts';
import { connect } from './0002_connect.ts';
import { outbound } from './0003_outbound.ts';
import { inbound } from './0004_inbound.ts';
import { syncs } from './0005_syncs.ts';
import { recordsWritePath } from './0006_records_write_path.ts';
import { actionRunsRunning } from './0007_action_runs_running.ts';
import { outboundPartialIndexes } from './0008_outbound_partial_indexes.ts';
import { webhookSubscriptions } from './0009_webhook_subscriptions.ts';
import { actionRunProgress } from './0010_action_run_progress.ts';
import { plans } from './0011_plans.ts';
import { notifications } from './0012_notifications.ts';
import { subscriptionRules } from './0013_subscription_rules.ts';
import { hub } from './0014_hub.ts';
import { operators } from './0016_operators.ts';

/**
 * Every migration, in version order. Forward-only: a shipped migration is never edited; a change
 * is a new file with the next version number.
 */
export const MIGRATIONS: readonly Migration[] = [
  foundation,
  connect,
  outbound,
  inbound,
  syncs,
  recordsWritePath,
  actionRunsRunning,
  outboundPartialIndexes,
  webhookSubscriptions,
  actionRunProgress,
  plans,
  notifications,
  subscriptionRules,
  hub,
  operators,
];

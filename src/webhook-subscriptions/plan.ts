/**
 * What to do at the provider so that a connection's subscriptions are the ones wanted: a pure
 * function of the topics wanted, what the engine recorded and (when it was listed) what the
 * provider has. Registrations and repairs come first and removals last, so a subscription being
 * replaced keeps delivering until its replacement exists.
 */
import type { ListedWebhookSubscription } from '../scripting/types.ts';
import type { StoredSubscription } from './types.ts';

export type PlannedStep =
  | { kind: 'register'; topics: string[] }
  /** Point an existing subscription at the URL and topics, and enable it. */
  | { kind: 'update'; id: string; topics: string[] }
  /** `unwanted`: recorded but no longer needed; `stray`: at the connection's URL but not recorded. */
  | { kind: 'remove'; id: string; reason: 'unwanted' | 'stray' };

export interface PlanInput {
  /** The topics wanted, grouped one group per subscription. */
  groups: readonly (readonly string[])[];
  /** The subscriptions the engine recorded for the connection. */
  current: readonly StoredSubscription[];
  /** The provider's subscriptions, when they were listed; null trusts `current` as it is. */
  remote: readonly ListedWebhookSubscription[] | null;
  /** The connection's intake URL. */
  url: string;
  /** Whether the provider's script can update a subscription in place. */
  canUpdate: boolean;
  /** Ids other connections recorded: never removed as strays (two connections may share a URL). */
  foreign: ReadonlySet<string>;
}

export interface Plan {
  /** Recorded subscriptions that stay as they are (or are updated by a step). */
  keep: StoredSubscription[];
  steps: PlannedStep[];
}

/** The topic groups of a script: all topics in one subscription, or one subscription per topic. */
export function topicGroups(topics: readonly string[], perSubscription: 'all' | 'one' = 'all'): string[][] {
  const sorted = [...topics].sort();
  return perSubscription === 'one' ? sorted.map((topic) => [topic]) : [sorted];
}

export function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...a].sort();
  return [...b].sort().every((topic, index) => topic === sorted[index]);
}

export function planReconcile(input: PlanInput): Plan {
  const { groups, current, remote, url, canUpdate, foreign } = input;
  const remoteById = remote ? new Map(remote.map((r) => [r.id, r])) : null;

  // What is alive of what was recorded, with its state at the provider when known.
  const alive: Array<{ id: string; topics: readonly string[]; healthy: boolean }> = [];
  for (const recorded of current) {
    if (!remoteById) {
      alive.push({ id: recorded.id, topics: recorded.topics, healthy: true });
      continue;
    }
    const listed = remoteById.get(recorded.id);
    if (!listed) continue; // deleted at the provider: registered again below
    alive.push({
      id: listed.id,
      topics: listed.topics,
      healthy: listed.url === url && listed.enabled !== false,
    });
  }

  const keep: StoredSubscription[] = [];
  const steps: PlannedStep[] = [];
  const used = new Set<string>();
  const unmet: string[][] = [];
  for (const group of groups) {
    const match = alive.find((a) => !used.has(a.id) && a.healthy && sameTopics(a.topics, group));
    if (match) {
      used.add(match.id);
      keep.push({ id: match.id, topics: [...group] });
    } else {
      unmet.push([...group]);
    }
  }
  for (const group of unmet) {
    // Repair in place when the script can: first one with these topics (wrong URL, disabled),
    // then any left over (topics changed).
    const candidate = canUpdate
      ? (alive.find((a) => !used.has(a.id) && sameTopics(a.topics, group)) ??
        alive.find((a) => !used.has(a.id)))
      : undefined;
    if (candidate) {
      used.add(candidate.id);
      keep.push({ id: candidate.id, topics: group });
      steps.push({ kind: 'update', id: candidate.id, topics: group });
    } else {
      steps.push({ kind: 'register', topics: group });
    }
  }
  for (const left of alive) {
    if (!used.has(left.id)) steps.push({ kind: 'remove', id: left.id, reason: 'unwanted' });
  }
  const recorded = new Set(current.map((c) => c.id));
  for (const listed of remote ?? []) {
    if (listed.url === url && !recorded.has(listed.id) && !foreign.has(listed.id)) {
      steps.push({ kind: 'remove', id: listed.id, reason: 'stray' });
    }
  }
  return { keep, steps };
}

/**
 * The values Known picks resolve to, by pool: `<category>:<kind>`, where the category is
 * `target`, `protected-dev` or `protected-prod` (see world.ts for who may send which) and the kind
 * an id prefix (`conn`, `ep`…) or a name (`integration`, `sync`…).
 */
import type { Known } from './request.ts';
import type { SeedSet } from './seed.ts';

/** Learned pools keep their newest values only. */
const MAX_POOL = 64;
const ID = /^([a-z]+)_[0-9a-z]{26}$/;

/** Names the engine knows, offered where a parameter or field takes one. */
const NAMES: Record<string, string[]> = {
  sync: ['items', 'sales', 'products', 'royalties'],
  action: ['echo', 'create-invoice'],
  model: ['items', 'sales'],
  target: ['items', 'echo', 'sales'],
  provider: ['fuzz-api', 'custom-webhook', 'gumroad', 'stripe', 'shopify', 'amazon-kdp', 'paypal'],
  integration: ['gumroad', 'stripe'],
  webhookKey: ['gumroad', 'stripe', 'shopify', 'paypal', 'custom-webhook'],
};

export class Pools {
  readonly #pools = new Map<string, string[]>();
  readonly #protected = new Set<string>();

  add(pool: string, value: string): void {
    const values = this.#pools.get(pool) ?? [];
    if (values.includes(value)) return;
    values.push(value);
    if (values.length > MAX_POOL) values.shift();
    this.#pools.set(pool, values);
    if (pool.startsWith('protected-')) this.#protected.add(value);
  }

  /** Makes `value` the only one of `pool`. */
  replace(pool: string, value: string): void {
    this.#pools.set(pool, [value]);
  }

  /** Removes `value` from every pool of `category`. */
  remove(category: string, value: string): void {
    for (const [pool, values] of this.#pools) {
      if (pool.startsWith(`${category}:`))
        this.#pools.set(
          pool,
          values.filter((v) => v !== value),
        );
    }
  }

  /** A seeded set's ids and keys, under `category`. */
  addSet(category: string, set: SeedSet): void {
    for (const [kind, value] of setEntries(set)) this.add(`${category}:${kind}`, value);
  }

  /** Takes a set's ids and keys out of `category` (a target set the fuzzer broke). */
  removeSet(category: string, set: SeedSet): void {
    for (const [, value] of setEntries(set)) this.remove(category, value);
  }

  addNames(): void {
    for (const [kind, names] of Object.entries(NAMES))
      for (const name of names) this.add(`target:${kind}`, name);
  }

  /** What `known` stands for now: its pool's value, else the target pool's of the same kind. */
  pick(known: Known): string {
    const kind = known.pool.slice(known.pool.indexOf(':') + 1);
    const values = nonEmpty(this.#pools.get(known.pool)) ?? nonEmpty(this.#pools.get(`target:${kind}`));
    // A negative index counts from the newest value (-1: the last one added).
    return values ? values.at(known.index % values.length)! : `missing-${kind}`;
  }

  isProtected(value: string): boolean {
    return this.#protected.has(value);
  }

  /**
   * Adds the ids a successful creating request answered (`id`, `runId`, `data[].id`, an
   * integration's `key`) to the target pools: rows the fuzzer made are the fuzzer's to change.
   */
  learn(answer: unknown): void {
    if (answer === null || typeof answer !== 'object') return;
    const record = answer as Record<string, unknown>;
    const ids = [
      record.id,
      record.runId,
      ...(Array.isArray(record.data) ? record.data.map((d) => d?.id) : []),
    ];
    for (const id of ids) {
      const prefix = typeof id === 'string' ? ID.exec(id)?.[1] : undefined;
      if (prefix && !this.isProtected(id as string)) this.add(`target:${prefix}`, id as string);
    }
    if (
      typeof record.key === 'string' &&
      typeof record.provider === 'string' &&
      !this.isProtected(record.key)
    ) {
      this.add('target:integration', record.key);
      this.add('target:webhookKey', record.key);
    }
    if (typeof record.id === 'string' && record.id.startsWith('int_'))
      this.add('target:integration', record.id);
  }
}

/** A set's values by pool kind. */
function setEntries(set: SeedSet): Array<[string, string]> {
  return [
    ['int', set.integrationId],
    ['int', set.hooksIntegrationId],
    ['integration', set.integrationId],
    ['integration', set.hooksIntegrationId],
    ['integration', set.integrationKey],
    ['integration', set.hooksKey],
    ['webhookKey', set.hooksKey],
    ...set.connectionIds.map((id): [string, string] => ['conn', id]),
    ['run', set.syncRunId],
    ['act', set.actionRunId],
    ['ep', set.endpointId],
    ['msg', set.messageId],
    ['in', set.inboundEventId],
    ['key', set.apiKeyId],
  ];
}

function nonEmpty(values: string[] | undefined): string[] | undefined {
  return values && values.length > 0 ? values : undefined;
}

import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { CompiledQuery, Kysely } from 'kysely';
import { bindArguments, bindsNumberedByPosition, NodeSqliteDialect } from './node-sqlite-driver.ts';

describe('node:sqlite dialect: numbered parameters', () => {
  const database = new DatabaseSync(':memory:');
  const db = new Kysely<Record<string, never>>({ dialect: new NodeSqliteDialect(database) });
  after(() => db.destroy());
  // Reused and out of order, as the records statements use them (src/syncs/records/sql.ts).
  const sql = 'select ?2 as b, ?1 as a, ?1 as c, ?3 as d';

  it('binds them on the Node it runs on (by position on Node 24, by name on Node 22)', async () => {
    const { rows } = await db.executeQuery(CompiledQuery.raw(sql, ['x', 'y', true]));
    assert.deepEqual(
      rows.map((row) => ({ ...(row as object) })),
      [{ b: 'y', a: 'x', c: 'x', d: 1 }],
    );
  });

  it('by name gives what by position gives, where Node binds by position', () => {
    const statement = database.prepare(sql);
    const byName = { ...statement.get(...bindArguments(['x', 'y', false], true)) };
    assert.deepEqual(byName, { b: 'y', a: 'x', c: 'x', d: 0 });
    if (bindsNumberedByPosition(database)) {
      assert.deepEqual({ ...statement.get(...bindArguments(['x', 'y', false], false)) }, byName);
    }
  });

  it('names each parameter by its position, converting values as positional binding does', () => {
    assert.deepEqual(bindArguments(['a', undefined, true], false), ['a', null, 1]);
    assert.deepEqual(bindArguments(['a', undefined, true], true), [{ '?1': 'a', '?2': null, '?3': 1 }]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { ActionContext, ActionDefinition } from '../scripting/types.ts';
import { perform } from './perform.ts';

/** An action whose output schema lets anything through, as a host's own provider may declare. */
function actionReturning(output: unknown): ActionDefinition {
  return {
    name: 'echo',
    description: 'returns what the provider answered',
    input: z.object({}),
    output: z.unknown(),
    exec: async () => output,
  } as unknown as ActionDefinition;
}

const context = async () => ({}) as ActionContext;

describe('perform', () => {
  it('fails an output nested deeper than 64 levels as action_output_invalid, never storing it', async () => {
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
    const outcome = await perform({ action: actionReturning({ deep }), input: {}, context, timeoutMs: 1000 });
    assert.equal(outcome.status, 'failed');
    assert.deepEqual(outcome.status === 'failed' ? outcome.error : null, {
      code: 'action_output_invalid',
      message:
        'The action "echo" returned an output that nests objects and arrays deeper than 64 levels, the most Patchbay accepts',
      details: { maxDepth: 64 },
    });
    const allowed = JSON.parse(`${'['.repeat(63)}${']'.repeat(63)}`) as unknown;
    const ok = await perform({ action: actionReturning({ allowed }), input: {}, context, timeoutMs: 1000 });
    assert.deepEqual(ok, { status: 'succeeded', output: { allowed } });
  });
});

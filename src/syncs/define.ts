/**
 * `defineSync` and `defineAction`: identity functions that give a provider script its types.
 * The loader (./loader.ts) validates what they return.
 */
import type { z } from 'zod';
import type { ActionDefinition, ModelSchemas, SyncDefinition } from './types.ts';

/**
 * Declares a sync.
 *
 * @example
 * export default defineSync({
 *   name: 'products',
 *   description: 'Products of the account',
 *   models: { products: productSchema },
 *   frequency: '1h',
 *   trackDeletes: true,
 *   async exec(ctx) {
 *     for await (const page of ctx.paginate({ method: 'GET', path: '/products' })) {
 *       await ctx.records.save('products', page.items.map(toProduct));
 *     }
 *   },
 * });
 */
export function defineSync<
  const Models extends ModelSchemas,
  CheckpointSchema extends z.ZodType = z.ZodType<never>,
  Row extends z.ZodType = z.ZodType<never>,
>(definition: SyncDefinition<Models, CheckpointSchema, Row>): SyncDefinition<Models, CheckpointSchema, Row> {
  return definition;
}

/** Declares an action: validated input, validated output, one write at the provider. */
export function defineAction<Input extends z.ZodType, Output extends z.ZodType>(
  definition: ActionDefinition<Input, Output>,
): ActionDefinition<Input, Output> {
  return definition;
}

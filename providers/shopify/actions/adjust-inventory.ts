import { defineAction, PatchbayError, z } from '../../../src/scripts/index.ts';
import { graphql } from '../graphql.ts';

const MUTATION = `mutation PatchbayAdjustInventory($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`;

interface Answer {
  inventoryAdjustQuantities: {
    inventoryAdjustmentGroup: {
      id: string;
      reason: string;
      changes: Array<{
        name: string;
        delta: number;
        quantityAfterChange: number | null;
        item: { id: string };
        location: { id: string };
      }>;
    } | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string | null }>;
  };
}

const gidOf = (type: string) =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `a ${type} global id`);

/**
 * Moves an item's `available` quantity at a location by `delta` with `inventoryAdjustQuantities`
 * (https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventoryAdjustQuantities). The
 * mutation's `@idempotent` key (required since 2026-04) is the host's idempotency key or the
 * run's id, so a retried run adjusts once.
 */
export default defineAction({
  name: 'adjust-inventory',
  description: "Adjusts an inventory item's available quantity at a location by a delta.",
  input: z.object({
    inventoryItemId: gidOf('InventoryItem'),
    locationId: gidOf('Location'),
    delta: z
      .number()
      .int()
      .refine((delta) => delta !== 0, 'a non-zero change'),
    /** Shopify's reason codes: correction, received, damaged, shrinkage, restock, cycle_count_available… */
    reason: z
      .string()
      .regex(/^[a-z_]+$/)
      .default('correction'),
  }),
  output: z.object({
    adjustmentGroupId: z.string(),
    inventoryItemId: z.string(),
    locationId: z.string(),
    delta: z.number().int(),
    available: z.number().int().nullable(),
  }),
  async exec(ctx, input) {
    const data = await graphql<Answer>(ctx, MUTATION, {
      input: {
        reason: input.reason,
        name: 'available',
        changes: [
          { delta: input.delta, inventoryItemId: input.inventoryItemId, locationId: input.locationId },
        ],
      },
      key: ctx.idempotencyKey ?? `run:${ctx.runId}`,
    });
    const result = data.inventoryAdjustQuantities;
    const group = result.inventoryAdjustmentGroup;
    if (!group) {
      const first = result.userErrors[0];
      throw new PatchbayError(
        'provider_error',
        `Shopify refused the adjustment: ${first?.message ?? 'no group returned'}`,
        {
          details: { providerCode: first?.code ?? null },
        },
      );
    }
    const change = group.changes.find(
      (entry) => entry.item.id === input.inventoryItemId && entry.name === 'available',
    );
    return {
      adjustmentGroupId: group.id,
      inventoryItemId: input.inventoryItemId,
      locationId: input.locationId,
      delta: input.delta,
      available: change?.quantityAfterChange ?? null,
    };
  },
});

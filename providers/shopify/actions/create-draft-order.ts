import { defineAction, PatchbayError, z } from '../../../src/scripts/index.ts';
import { graphql } from '../graphql.ts';
import { minorUnits } from '../models.ts';

const FIND = `query PatchbayDraftByTag($query: String!) {
  draftOrders(first: 1, query: $query) { nodes { id name status invoiceUrl totalPriceSet { shopMoney { amount currencyCode } } } }
}`;

const CREATE = `mutation PatchbayDraftOrderCreate($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder { id name status invoiceUrl totalPriceSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}`;

interface DraftOrder {
  id: string;
  name: string;
  status: string;
  invoiceUrl: string | null;
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
}

/** The tag that marks a draft order as made by one run (or one host idempotency key). */
export function draftTag(key: string): string {
  return `patchbay-${key.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 60)}`;
}

/**
 * Creates a draft order (https://shopify.dev/docs/api/admin-graphql/latest/mutations/draftOrderCreate)
 * for variants and quantities, optionally for a customer's email, and answers its invoice URL for
 * the buyer. `draftOrderCreate` takes no idempotency key, so the draft is tagged with the host's
 * idempotency key (or the run's id) and a retry first looks for a draft with that tag.
 */
export default defineAction({
  name: 'create-draft-order',
  description: 'Creates a Shopify draft order and answers its invoice URL.',
  input: z.object({
    lines: z
      .array(
        z.object({
          variantId: z.string().regex(/^gid:\/\/shopify\/ProductVariant\/\d+$/, 'a ProductVariant global id'),
          quantity: z.number().int().min(1),
        }),
      )
      .min(1)
      .max(250),
    email: z.email().optional(),
    note: z.string().max(5000).optional(),
  }),
  output: z.object({
    draftOrderId: z.string(),
    name: z.string(),
    status: z.string(),
    invoiceUrl: z.string().nullable(),
    total: z.number().int(),
    currency: z.string(),
  }),
  async exec(ctx, input) {
    const tag = draftTag(ctx.idempotencyKey ?? ctx.runId);
    const found = await graphql<{ draftOrders: { nodes: DraftOrder[] } }>(ctx, FIND, {
      query: `tag:'${tag}'`,
    });
    let draft = found.draftOrders.nodes[0];
    if (!draft) {
      const data = await graphql<{
        draftOrderCreate: {
          draftOrder: DraftOrder | null;
          userErrors: Array<{ field: string[] | null; message: string }>;
        };
      }>(ctx, CREATE, {
        input: {
          lineItems: input.lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity })),
          ...(input.email ? { email: input.email } : {}),
          ...(input.note ? { note: input.note } : {}),
          tags: [tag],
        },
      });
      const created = data.draftOrderCreate.draftOrder;
      if (!created) {
        throw new PatchbayError(
          'provider_error',
          `Shopify refused the draft order: ${data.draftOrderCreate.userErrors.map((error) => error.message).join('; ')}`,
        );
      }
      draft = created;
    }
    const money = draft.totalPriceSet.shopMoney;
    return {
      draftOrderId: draft.id,
      name: draft.name,
      status: draft.status,
      invoiceUrl: draft.invoiceUrl,
      total: minorUnits(money.amount, money.currencyCode),
      currency: money.currencyCode.toLowerCase(),
    };
  },
});
